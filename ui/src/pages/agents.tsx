// Agents: the authorized agents with host info, state, current job, groups and a disable
// toggle; Discovered: agents waiting to be authorized. Rows follow live agent events.

import { useEffect, useState } from 'preact/hooks';
import { del, get, patch } from '../api';
import { Badge, Check, Dialog, Empty, ErrorBox, formError, PageState, Tabs } from '../components/ui';
import { useLive } from '../events';
import { ago, bytes } from '../format';
import { useResource, useTitle } from '../hooks';
import { Link } from '../router';
import { serverUrl } from '../server_url';
import type { Agent, AgentsGroup } from '../types';

export function AgentsTabs({ current }: { current: 'agents' | 'groups' | 'discovered' }) {
  return (
    <Tabs
      items={[
        { href: '/agents', label: 'Agents', current: current === 'agents' },
        { href: '/agents/groups', label: 'Groups', current: current === 'groups' },
        { href: '/agents/discovered', label: 'Discovered', current: current === 'discovered' },
      ]}
    />
  );
}

// The agents list with `authorized` as given, kept current by agent events: the agent an
// event names is fetched and put in, replaced or taken out.
function useAgents(authorized: boolean) {
  const agents = useResource(() => get<Agent[]>(`/agents?authorized=${authorized}`), [authorized]);
  useLive(async (e) => {
    if (!e) return void agents.reload();
    if (e.kind !== 'agent') return;
    let a: Agent | null = null;
    try {
      a = await get<Agent>(`/agents/${e.id}`);
    } catch {
      // Deleted: drop it below.
    }
    agents.set((list) => {
      if (!list) return list;
      const rest = list.filter((x) => x.id !== e.id);
      if (!a || a.authorized !== authorized) return rest;
      const at = list.findIndex((x) => x.id === e.id);
      if (at < 0) return [...rest, a].sort((x, y) => x.id - y.id);
      const copy = [...list];
      copy[at] = a;
      return copy;
    });
  });
  return agents;
}

function useServerUrl(): string {
  const [url, setUrl] = useState(location.origin);
  useEffect(() => {
    void serverUrl().then(setUrl);
  }, []);
  return url;
}

export function hostSummary(h: Record<string, unknown> | undefined): string {
  if (!h) return '';
  const parts: string[] = [];
  const s = (k: string) => (h[k] === undefined || h[k] === null || h[k] === '' ? '' : String(h[k]));
  const host = s('hostname') || s('host');
  if (host) parts.push(host);
  const distro = [s('distro_name'), s('distro_version')].filter(Boolean).join(' ');
  const os = distro || s('os') || s('system');
  if (os) parts.push(os);
  if (s('arch')) parts.push(s('arch'));
  const cpus = s('cpus') || s('cpu_count');
  if (cpus) parts.push(`${cpus} CPU`);
  if (h.memory_mb) parts.push(bytes(Number(h.memory_mb) * 1024 * 1024));
  else if (typeof h.memory_bytes === 'number') parts.push(bytes(h.memory_bytes));
  const ip = s('ip') || s('ip_address') || s('address');
  if (ip) parts.push(ip);
  return parts.join(' · ');
}

export function AgentsPage() {
  useTitle('Agents');
  const agents = useAgents(true);
  const groups = useResource(() => get<AgentsGroup[]>('/groups').catch(() => [] as AgentsGroup[]), []);
  const url = useServerUrl();
  const [err, setErr] = useState<unknown>(null);
  const [editing, setEditing] = useState<Agent | null>(null);
  useLive((e) => {
    if (!e || e.kind === 'group') void groups.reload();
  });
  const groupName = (id: number) => groups.data?.find((g) => g.id === id)?.name ?? `group ${id}`;

  const update = async (a: Agent, body: Partial<Agent>) => {
    setErr(null);
    try {
      const saved = await patch<Agent>(`/agents/${a.id}`, body);
      agents.set((l) => l?.map((x) => (x.id === a.id ? (saved?.id ? saved : { ...x, ...body }) : x)));
    } catch (x) {
      setErr(x);
    }
  };
  const remove = async (a: Agent) => {
    if (!confirm(`Delete agent ${a.name}? It can register again later.`)) return;
    try {
      await del(`/agents/${a.id}`);
      agents.set((l) => l?.filter((x) => x.id !== a.id));
    } catch (x) {
      setErr(x);
    }
  };

  const list = agents.data ?? [];
  return (
    <div class="page">
      <div class="page-head">
        <h1>Agents</h1>
      </div>
      <AgentsTabs current="agents" />
      <ErrorBox error={formError(err)} />
      <PageState error={agents.error} loading={agents.loading && !agents.data} />
      {agents.data && list.length === 0 && (
        <Empty>
          No agents yet — start one with <code>kraken agent --server {url}</code>, then authorize it under{' '}
          <Link href="/agents/discovered">Discovered</Link>.
        </Empty>
      )}
      {list.length > 0 && (
        <div class="table-scroll">
          <table class="agents">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">State</th>
                <th scope="col">Host</th>
                <th scope="col">Current job</th>
                <th scope="col">Groups</th>
                <th scope="col">Disabled</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {list.map((a) => (
                <tr key={a.id} class={a.disabled ? 'covered' : ''}>
                  <th scope="row">
                    {a.name}
                    <div class="muted small">{a.system}</div>
                  </th>
                  <td>
                    <Badge kind={a.state === 'online' ? 'ok' : 'bad'}>{a.state}</Badge>
                    <div class="muted small">seen {ago(a.last_seen)}</div>
                  </td>
                  <td class="small">{hostSummary(a.host_info)}</td>
                  <td>{a.job_id ? <Link href={`/jobs/${a.job_id}`}>job {a.job_id}</Link> : <span class="muted">idle</span>}</td>
                  <td>
                    {(a.groups ?? []).map((g) => (
                      <Link key={g} href={`/agents/groups/${g}`} class="chip">{groupName(g)}</Link>
                    ))}
                    <button type="button" class="small" onClick={() => setEditing(a)} aria-label={`Change groups of ${a.name}`}>
                      Change
                    </button>
                  </td>
                  <td>
                    <Check id={`agent-disabled-${a.id}`} label={a.disabled ? 'disabled' : 'enabled'} checked={a.disabled}
                      onChange={(v) => update(a, { disabled: v })} />
                  </td>
                  <td>
                    <button type="button" class="small danger" onClick={() => remove(a)} aria-label={`Delete ${a.name}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <GroupsDialog agent={editing} groups={groups.data ?? []} onClose={() => setEditing(null)}
          onSave={async (ids) => {
            await update(editing, { groups: ids });
            setEditing(null);
          }} />
      )}
    </div>
  );
}

function GroupsDialog({ agent, groups, onClose, onSave }: {
  agent: Agent;
  groups: AgentsGroup[];
  onClose: () => void;
  onSave: (ids: number[]) => Promise<void>;
}) {
  const [ids, setIds] = useState(new Set(agent.groups ?? []));
  return (
    <Dialog title={`Groups of ${agent.name}`} onClose={onClose}>
      <form onSubmit={(e) => { e.preventDefault(); void onSave([...ids]); }}>
        <fieldset>
          <legend>Member of</legend>
          {groups.map((g) => (
            <Check key={g.id} id={`agent-group-${g.id}`} label={g.name} checked={ids.has(g.id)}
              onChange={(v) => {
                const n = new Set(ids);
                if (v) n.add(g.id);
                else n.delete(g.id);
                setIds(n);
              }} />
          ))}
        </fieldset>
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary">Save</button>
        </div>
      </form>
    </Dialog>
  );
}

export function DiscoveredPage() {
  useTitle('Discovered agents');
  const agents = useAgents(false);
  const url = useServerUrl();
  const [err, setErr] = useState<unknown>(null);
  const authorize = async (a: Agent) => {
    setErr(null);
    try {
      await patch(`/agents/${a.id}`, { authorized: true });
      agents.set((l) => l?.filter((x) => x.id !== a.id));
    } catch (x) {
      setErr(x);
    }
  };
  // Agents of destroyed machines are left unauthorized and disabled: retired, not waiting.
  const list = (agents.data ?? []).filter((a) => !a.disabled);
  return (
    <div class="page">
      <div class="page-head">
        <h1>Discovered Agents</h1>
      </div>
      <AgentsTabs current="discovered" />
      <p class="muted">Agents that registered but are not authorized yet. They get no jobs until you authorize them.</p>
      <ErrorBox error={formError(err)} />
      <PageState error={agents.error} loading={agents.loading && !agents.data} />
      {agents.data && list.length === 0 && (
        <Empty>
          No agents wait for authorization. A new agent started with <code>kraken agent --server {url}</code> shows up here.
        </Empty>
      )}
      {list.length > 0 && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Host</th>
                <th scope="col">Last seen</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {list.map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    {a.name}
                    <div class="muted small">{a.system}</div>
                  </th>
                  <td class="small">{hostSummary(a.host_info)}</td>
                  <td>{ago(a.last_seen)}</td>
                  <td>
                    <button type="button" class="primary small" onClick={() => authorize(a)} aria-label={`Authorize ${a.name}`}>
                      Authorize
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
