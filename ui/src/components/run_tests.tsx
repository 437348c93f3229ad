// The test side of a run page: tabs for its test results (the table with filters, sorting
// and pages), its lint issues and its artifacts. The tab is kept in the `tab` query
// parameter and the filters in the others, so a filtered table can be linked.

import { useState } from 'preact/hooks';
import { API, get } from '../api';
import { bytes } from '../format';
import { useResource } from '../hooks';
import { Link, navigate, useLocation } from '../router';
import { CHANGES, changeTone, resultsQuery, STATUSES, statusTone } from '../test_results';
import type { ResultPage, TestCounters } from '../test_results';
import { Badge, PageState } from './ui';

const FILTER_KEYS = ['status', 'change', 'name', 'job', 'system', 'min_age', 'max_age', 'min_instability', 'max_instability', 'sort', 'offset'];
const PAGE = 50;

export function RunTests({ runId, counters }: { runId: number; counters: TestCounters | null | undefined }) {
  const { query } = useLocation();
  const tab = query.get('tab') ?? '';
  const go = (t: string) => {
    const q = new URLSearchParams(location.search);
    if (t) q.set('tab', t);
    else q.delete('tab');
    navigate(`${location.pathname}?${q}`, true);
  };
  return (
    <section aria-label="Tests">
      {counters && (
        <p class="muted">
          {counters.total} tests · {counters.passed} passed · {counters.not_run} not run · {counters.new} new ·{' '}
          {counters.fixes} fixes · {counters.regressions} regressions · {counters.flaky} flaky · {counters.issues_total} issues
        </p>
      )}
      <nav class="tabs" aria-label="Run sections">
        {[['', 'Jobs'], ['results', 'Results'], ['issues', 'Issues'], ['artifacts', 'Artifacts']].map(([t, label]) => (
          <a key={t} href="#" aria-current={tab === t ? 'page' : undefined} onClick={(e) => { e.preventDefault(); go(t); }}>
            {label}
          </a>
        ))}
      </nav>
      {tab === 'results' && <ResultsTable runId={runId} query={query} />}
      {tab === 'issues' && <IssuesTable runId={runId} />}
      {tab === 'artifacts' && <ArtifactsTable runId={runId} />}
    </section>
  );
}

function ResultsTable({ runId, query }: { runId: number; query: URLSearchParams }) {
  const filter: Record<string, string> = {};
  for (const k of FILTER_KEYS) filter[k] = query.get(k) ?? '';
  const qs = resultsQuery({ ...filter, limit: String(PAGE) });
  const page = useResource(() => get<ResultPage>(`/runs/${runId}/results?${qs}`), [runId, qs]);
  const [name, setName] = useState(filter.name);
  const set = (changes: Record<string, string>) => {
    const q = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries({ offset: '', ...changes })) {
      if (v) q.set(k, v);
      else q.delete(k);
    }
    navigate(`${location.pathname}?${q}`, true);
  };
  const sortBy = (key: string) => set({ sort: filter.sort === `-${key}` ? key : `-${key}` });
  const header = (key: string, label: string) => (
    <th scope="col" aria-sort={filter.sort === key ? 'ascending' : filter.sort === `-${key}` ? 'descending' : undefined}>
      <button type="button" class="link" onClick={() => sortBy(key)}>{label}</button>
    </th>
  );
  const offset = Number(filter.offset) || 0;
  return (
    <div>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); set({ name }); }}>
        <label>Status{' '}
          <select value={filter.status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            <option value="failed,error">failed or error</option>
            {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>{' '}
        <label>Change{' '}
          <select value={filter.change} onChange={(e) => set({ change: (e.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            {CHANGES.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>{' '}
        <label>Max age <input type="number" min="1" class="narrow" value={filter.max_age}
          onChange={(e) => set({ max_age: (e.target as HTMLInputElement).value })} /></label>{' '}
        <label>Min instability <input type="number" min="0" max="10" class="narrow" value={filter.min_instability}
          onChange={(e) => set({ min_instability: (e.target as HTMLInputElement).value })} /></label>{' '}
        <label>Name <input type="search" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>{' '}
        <button type="submit">Filter</button>
      </form>
      {!page.data ? <PageState error={page.error} loading={page.loading} /> : (
        <>
          <div class="table-scroll">
            <table class="results">
              <thead>
                <tr>
                  {header('name', 'Test')}{header('status', 'Status')}{header('change', 'Change')}{header('age', 'Age')}
                  {header('instability', 'Instability')}{header('relevancy', 'Relevancy')}{header('job', 'Job')}{header('system', 'System')}
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((r) => (
                  <tr key={r.id}>
                    <th scope="row"><Link href={`/results/${r.id}`}>{r.test}</Link>
                      {r.flaky && <Badge kind="warn" title={`flip rate ${Math.round(r.flip_rate * 100)}%`}>flaky</Badge>}
                      {r.comment_id && <span class="muted small"> commented</span>}
                    </th>
                    <td><Badge kind={statusTone(r.status)}>{r.status}</Badge></td>
                    <td>{r.change && <Badge kind={changeTone(r.change)}>{r.change}</Badge>}</td>
                    <td class="num">{r.age}</td>
                    <td class="num">{r.instability}</td>
                    <td class="num">{r.relevancy}</td>
                    <td>{r.job_name}</td>
                    <td>{r.system}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted">
            {page.data.total === 0 ? 'No results match.' : `${offset + 1}–${offset + page.data.items.length} of ${page.data.total}`}{' '}
            <button type="button" class="small" disabled={offset === 0} onClick={() => set({ offset: String(Math.max(0, offset - PAGE)) })}>Previous</button>{' '}
            <button type="button" class="small" disabled={offset + PAGE >= page.data.total} onClick={() => set({ offset: String(offset + PAGE) })}>Next</button>
          </p>
        </>
      )}
    </div>
  );
}

interface Issue { id: number; job_name: string; path: string; line: number; column: number; symbol: string; message: string; type: string; age: number }

function IssuesTable({ runId }: { runId: number }) {
  const issues = useResource(() => get<{ items: Issue[] }>(`/runs/${runId}/issues`), [runId]);
  if (!issues.data) return <PageState error={issues.error} loading={issues.loading} />;
  if (issues.data.items.length === 0) return <p class="muted">No issues reported in this run.</p>;
  return (
    <div class="table-scroll">
      <table class="issues">
        <thead><tr><th scope="col">Location</th><th scope="col">Type</th><th scope="col">Symbol</th><th scope="col">Message</th><th scope="col">Age</th><th scope="col">Job</th></tr></thead>
        <tbody>
          {issues.data.items.map((i) => (
            <tr key={i.id}>
              <th scope="row">{i.path}:{i.line}:{i.column}</th>
              <td><Badge kind={i.type === 'error' ? 'bad' : 'warn'}>{i.type}</Badge></td>
              <td>{i.symbol}</td>
              <td>{i.message}</td>
              <td class="num">{i.age <= 1 ? <Badge kind="warn">new</Badge> : i.age}</td>
              <td>{i.job_name}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface Artifact { id: number; path: string; size: number; public: boolean; report_entry: boolean; complete: boolean }

function ArtifactsTable({ runId }: { runId: number }) {
  const list = useResource(() => get<{ items: Artifact[] }>(`/runs/${runId}/artifacts`), [runId]);
  if (!list.data) return <PageState error={list.error} loading={list.loading} />;
  if (list.data.items.length === 0) return <p class="muted">No artifacts uploaded in this run.</p>;
  return (
    <ul class="artifacts">
      {list.data.items.map((a) => (
        <li key={a.id}>
          <a href={`${API}/artifacts/${a.id}/download`} data-external target={a.report_entry ? '_blank' : undefined}>{a.path}</a>{' '}
          <span class="muted small">{bytes(a.size)}{a.report_entry ? ' · report' : ''}{a.complete ? '' : ' · incomplete'}</span>
        </li>
      ))}
    </ul>
  );
}
