// Entry point: checks the session, then renders the top bar and the page of the route.

import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { get, setUnauthorizedHandler } from './api';
import { TopBar } from './components/topbar';
import { startEvents, stopEvents } from './events';
import { AgentsPage, DiscoveredPage } from './pages/agents';
import { BranchPage } from './pages/branch';
import { BranchResultsPage } from './pages/branch_results';
import { FlowPage } from './pages/flow';
import { GroupPage } from './pages/group';
import { GroupsPage } from './pages/groups';
import { JobRedirect } from './pages/job';
import { LoginPage } from './pages/login';
import { MainPage } from './pages/main';
import { RunPage } from './pages/run';
import { ComparePage } from './pages/compare';
import { TestResultPage } from './pages/test_result';
import { SettingsPage } from './pages/settings';
import { nextPath } from './next_path';
import { match, navigate, useLocation } from './router';
import { setUser } from './session';
import type { User } from './types';
import './styles.css';

type Page = (props: { params: Record<string, string> }) => preact.JSX.Element;

const routes: [string, Page][] = [
  ['/', MainPage],
  ['/branches/:id', BranchPage],
  ['/branches/:id/ci', (p) => <BranchResultsPage params={p.params} kind="ci" />],
  ['/branches/:id/dev', (p) => <BranchResultsPage params={p.params} kind="dev" />],
  ['/flows/:id', FlowPage],
  ['/runs/:id', RunPage],
  ['/results/:id', TestResultPage],
  ['/flows/:id/compare', ComparePage],
  ['/jobs/:id', JobRedirect],
  ['/agents', AgentsPage],
  ['/agents/discovered', DiscoveredPage],
  ['/agents/groups', GroupsPage],
  ['/agents/groups/:id', GroupPage],
  ['/settings', SettingsPage],
];

function goToLogin() {
  stopEvents();
  setUser(null);
  if (location.pathname !== '/login') {
    const next = location.pathname + location.search;
    navigate(`/login${next && next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, true);
  }
}

function App() {
  const { path } = useLocation();

  // The page starts loading together with the session check: a 401 from either sends
  // the user to /login.
  useEffect(() => {
    setUnauthorizedHandler(goToLogin);
    get<User>('/auth/me')
      .then((u) => {
        setUser(u);
        startEvents();
        if (location.pathname === '/login') navigate(nextPath(), true);
      })
      .catch(() => goToLogin());
  }, []);

  if (path === '/login') return <LoginPage />;

  let page = <NotFound />;
  for (const [pattern, Component] of routes) {
    const params = match(pattern, path);
    if (params) {
      page = <Component key={path} params={params} />;
      break;
    }
  }
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <TopBar path={path} />
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

function NotFound() {
  return (
    <div class="page">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. Go back to the <a href="/">projects</a>.
      </p>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
