// The top bar: Projects, the Agents menu (Agents, Groups, Discovered), Settings, the
// live-connection state and the signed-in user with Log out.

import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post } from '../api';
import { coalesce, stopEvents, useLive, useLiveStatus } from '../events';
import { Link, navigate } from '../router';
import { setUser, useUser } from '../session';
import type { Agent } from '../types';

export function TopBar({ path }: { path: string }) {
  const user = useUser();
  const live = useLiveStatus();
  const [discovered, setDiscovered] = useState(0);
  const menu = useRef<HTMLDetailsElement>(null);

  const countDiscovered = () =>
    get<Agent[]>('/agents?authorized=false')
      .then((a) => setDiscovered(a.filter((x) => !x.disabled).length))
      .catch(() => {});
  useEffect(() => {
    void countDiscovered();
  }, []);
  const recount = useRef(coalesce(() => void countDiscovered(), 300)).current;
  useLive((e) => {
    if (!e || e.kind === 'agent') recount();
  });

  // The menu closes once one of its pages is open, on Escape, and on a click elsewhere.
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [path]);
  useEffect(() => {
    const close = (e: Event) => {
      const m = menu.current;
      if (!m?.open) return;
      if (e instanceof KeyboardEvent) {
        if (e.key !== 'Escape') return;
        m.open = false;
        m.querySelector('summary')?.focus();
      } else if (!m.contains(e.target as Node)) m.open = false;
    };
    document.addEventListener('keydown', close);
    document.addEventListener('click', close);
    return () => {
      document.removeEventListener('keydown', close);
      document.removeEventListener('click', close);
    };
  }, []);

  const logout = async () => {
    try {
      await post('/auth/logout');
    } catch {
      // The session is gone either way.
    }
    stopEvents();
    setUser(null);
    navigate('/login');
  };

  const at = (p: string) => (path === p || path.startsWith(p + '/') ? 'page' : undefined);
  const inProjects = path === '/' || path.startsWith('/branches') || path.startsWith('/flows') || path.startsWith('/runs');

  return (
    <header class="topbar">
      <Link href="/" class="brand">
        Kraken
      </Link>
      <nav aria-label="Main">
        <Link href="/" aria-current={inProjects ? 'page' : undefined}>
          Projects
        </Link>
        <details class="menu" ref={menu}>
          <summary aria-current={at('/agents')}>
            Agents{discovered > 0 && <span class="count" title={`${discovered} discovered agents wait for authorization`}>{discovered}</span>}
          </summary>
          <div class="menu-items">
            <Link href="/agents">Agents</Link>
            <Link href="/agents/groups">Groups</Link>
            <Link href="/agents/discovered">
              Discovered{discovered > 0 && <span class="count">{discovered}</span>}
            </Link>
          </div>
        </details>
        <Link href="/settings" aria-current={at('/settings')}>
          Settings
        </Link>
      </nav>
      <div class="topbar-right">
        <span class={`live ${live}`} title={live === 'live' ? 'Live updates on' : 'Live updates reconnecting'}>
          <span class="dot" aria-hidden="true" />
          <span class="live-text">{live === 'live' ? 'live' : live === 'connecting' ? 'connecting' : 'offline'}</span>
        </span>
        {user && (
          <span class="user" title={user.is_admin ? 'administrator' : undefined}>
            {user.name}
          </span>
        )}
        <button type="button" class="link" onClick={logout}>
          Log out
        </button>
      </div>
    </header>
  );
}
