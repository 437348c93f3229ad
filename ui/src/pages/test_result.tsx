// A test case result: its status, change, age, instability and relevancy; the message and
// the command that reruns it; its comment thread (with root-cause state); and its history
// across flows as a status strip and, for results with metric values, a line chart.

import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { Badge, ErrorBox, formError, PageState } from '../components/ui';
import { useResource, useTitle } from '../hooks';
import { Link } from '../router';
import { changeTone, COMMENT_STATES, statusTone } from '../test_results';
import type { CommentThread, ResultPage, TestResult } from '../test_results';

export function TestResultPage({ params }: { params: Record<string, string> }) {
  const id = Number(params.id);
  const result = useResource(() => get<TestResult & { comment: CommentThread | null }>(`/results/${id}`), [id]);
  const history = useResource(() => get<ResultPage>(`/results/${id}/history?limit=100`), [id]);
  useTitle(result.data?.test ?? 'Test result');
  if (!result.data) return <div class="page"><PageState error={result.error} loading={result.loading} /></div>;
  const r = result.data;
  const items = [...(history.data?.items ?? [])].reverse();  // oldest first, for the charts
  const metrics = Object.keys(r.values ?? {});
  return (
    <div class="page">
      <p class="crumbs"><Link href={`/runs/${r.run_id}?tab=results`}>Run {r.run_id}</Link></p>
      <h1>{r.test}</h1>
      <p>
        <Badge kind={statusTone(r.status)}>{r.status}</Badge>{' '}
        {r.change && <Badge kind={changeTone(r.change)}>{r.change}</Badge>}{' '}
        {r.flaky && <Badge kind="warn">flaky · flips {Math.round(r.flip_rate * 100)}%</Badge>}
      </p>
      <p class="muted">
        age {r.age} · instability {r.instability} · relevancy {r.relevancy} · {r.job_name} on {r.system} · {r.flow_kind.toUpperCase()} flow
      </p>
      {r.cmd && <p>Rerun: <code>{r.cmd}</code></p>}
      {r.message && <pre class="message">{r.message}</pre>}
      <h2>History</h2>
      {!history.data ? <PageState error={history.error} loading={history.loading} /> : (
        <>
          <StatusStrip items={items} current={id} />
          {metrics.map((m) => <ValueChart key={m} metric={m} items={items} />)}
        </>
      )}
      <Comments result={r} onChange={() => result.reload()} />
    </div>
  );
}

const STATUS_COLOR: Record<string, string> = { passed: 'var(--ok)', failed: 'var(--bad)', error: 'var(--bad)' };

// One bar per flow, coloured by status; the current result outlined.
function StatusStrip({ items, current }: { items: TestResult[]; current: number }) {
  const w = 14;
  return (
    <svg class="chart" role="img" aria-label="Status across flows" width={Math.max(items.length * w, 100)} height="40">
      {items.map((h, i) => (
        <a key={h.id} href={`/results/${h.id}`}>
          <rect x={i * w + 1} y={h.status === 'passed' ? 14 : 4} width={w - 2} height={h.status === 'passed' ? 22 : 32}
            fill={STATUS_COLOR[h.status] ?? 'var(--muted)'} stroke={h.id === current ? 'var(--text)' : 'none'}>
            <title>{`flow ${h.flow_label ?? h.flow_id}: ${h.status}`}</title>
          </rect>
        </a>
      ))}
    </svg>
  );
}

// A metric's value across flows, with ±stddev bars and the median when reported.
function ValueChart({ metric, items }: { metric: string; items: TestResult[] }) {
  const pts = items.map((h) => ({ id: h.id, label: h.flow_label ?? String(h.flow_id), v: h.values?.[metric] })).filter((p) => p.v);
  if (pts.length === 0) return null;
  const lo = Math.min(...pts.map((p) => p.v!.value - (p.v!.stddev ?? 0)));
  const hi = Math.max(...pts.map((p) => p.v!.value + (p.v!.stddev ?? 0)));
  const W = 480, H = 160, pad = 30;
  const x = (i: number) => pad + (pts.length === 1 ? (W - 2 * pad) / 2 : (i * (W - 2 * pad)) / (pts.length - 1));
  const y = (v: number) => H - pad - (hi === lo ? (H - 2 * pad) / 2 : ((v - lo) * (H - 2 * pad)) / (hi - lo));
  const line = pts.map((p, i) => `${i ? 'L' : 'M'}${x(i)},${y(p.v!.value)}`).join(' ');
  return (
    <figure>
      <figcaption>{metric}</figcaption>
      <svg class="chart" role="img" aria-label={`${metric} across flows`} width={W} height={H}>
        <text x="2" y={pad - 8} class="axis">{hi.toPrecision(4)}</text>
        <text x="2" y={H - pad + 14} class="axis">{lo.toPrecision(4)}</text>
        <path d={line} fill="none" stroke="var(--accent)" stroke-width="2" />
        {pts.map((p, i) => (
          <g key={p.id}>
            {p.v!.stddev ? <line x1={x(i)} x2={x(i)} y1={y(p.v!.value - p.v!.stddev)} y2={y(p.v!.value + p.v!.stddev)} stroke="var(--muted)" /> : null}
            {p.v!.median !== undefined && <circle cx={x(i)} cy={y(p.v!.median)} r="2" fill="var(--muted)" />}
            <circle cx={x(i)} cy={y(p.v!.value)} r="3.5" fill="var(--accent)">
              <title>{`flow ${p.label}: ${p.v!.value}${p.v!.iterations ? ` (${p.v!.iterations} iterations)` : ''}`}</title>
            </circle>
          </g>
        ))}
      </svg>
    </figure>
  );
}

function Comments({ result, onChange }: { result: TestResult & { comment: CommentThread | null }; onChange: () => void }) {
  const [text, setText] = useState('');
  const [state, setState] = useState(result.comment?.state ?? 'investigating');
  const [err, setErr] = useState<unknown>(null);
  const c = result.comment;
  const submit = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    try {
      await post(`/results/${result.id}/comments`, { text, state });
      setText('');
      onChange();
    } catch (x) {
      setErr(x);
    }
  };
  return (
    <section aria-labelledby="comments">
      <h2 id="comments">Comments {c && <Badge kind="muted">{c.state}{c.open ? '' : ' · closed'}</Badge>}</h2>
      {c?.entries.map((e) => (
        <div key={e.id} class="comment"><strong>{e.author}</strong> <span class="muted small">{e.state}</span><p>{e.text}</p></div>
      ))}
      <form onSubmit={submit}>
        <label for="comment-text">Comment</label>
        <textarea id="comment-text" value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        <label for="comment-state">Root cause</label>{' '}
        <select id="comment-state" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
          {COMMENT_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>{' '}
        <button type="submit">Add comment</button>
        <ErrorBox error={formError(err)} />
      </form>
    </section>
  );
}
