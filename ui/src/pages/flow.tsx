// A flow: its stage runs as a parent -> child chart with timing, the flow's arguments,
// and a run button for stages not yet run in it.

import { useRef, useState } from 'preact/hooks';
import { get, post } from '../api';
import { flowTitle, flowTone, runStateText, runTone, toneLabel } from '../components/runs';
import { Dialog, ErrorBox, formError, PageState } from '../components/ui';
import { coalesce, useLive } from '../events';
import { dateTime, duration, span } from '../format';
import { useResource, useTitle } from '../hooks';
import { flowOfRun, noteFlow } from '../lookup';
import { Link, navigate } from '../router';
import type { Branch, Flow, Run, Stage } from '../types';
import { defaultText, ParameterFields } from './branch_results';

interface Node {
  name: string;
  stage?: Stage;
  run?: Run;
  children: Node[];
}

// Builds the stage tree from each stage's `parent`; runs of stages that no longer exist
// hang from the root.
export function stageTree(stages: Stage[], runs: Run[]): Node[] {
  const byName = new Map<string, Node>();
  for (const s of stages) {
    if (!s.enabled && !runs.some((r) => r.stage_id === s.id)) continue;
    byName.set(s.name, { name: s.name, stage: s, children: [] });
  }
  for (const r of runs) {
    const n = byName.get(r.stage_name);
    if (n) {
      if (!n.run || n.run.id < r.id) n.run = r;
    } else byName.set(r.stage_name, { name: r.stage_name, run: r, children: [] });
  }
  const roots: Node[] = [];
  for (const n of byName.values()) {
    const parent = String(n.stage?.schema?.parent ?? 'root');
    const p = parent !== 'root' && parent !== n.name ? byName.get(parent) : undefined;
    (p ? p.children : roots).push(n);
  }
  return roots;
}

export function FlowPage({ params }: { params: Record<string, string> }) {
  const id = Number(params.id);
  const data = useResource(async () => {
    const flow = await get<Flow>(`/flows/${id}`);
    noteFlow(flow);
    const [branch, stages] = await Promise.all([
      get<Branch>(`/branches/${flow.branch_id}`).catch(() => null),
      get<Stage[]>(`/branches/${flow.branch_id}/stages`).catch(() => [] as Stage[]),
    ]);
    return { flow, branch, stages };
  }, [id]);
  const [starting, setStarting] = useState<Stage | null>(null);
  const [err, setErr] = useState<unknown>(null);
  useTitle(data.data ? `Flow ${flowTitle(data.data.flow)}` : 'Flow');

  const refetch = useRef(
    coalesce(async () => {
      try {
        const flow = await get<Flow>(`/flows/${id}`);
        noteFlow(flow);
        data.set((old) => (old ? { ...old, flow } : old));
      } catch {
        // The page keeps what it shows.
      }
    }),
  ).current;

  useLive(async (e) => {
    if (!e) return void data.reload();
    if (e.kind === 'flow' && e.id === id) refetch();
    else if (e.kind === 'run' && (await flowOfRun(e.id, e)) === id) refetch();
    else if (e.kind === 'job' && (e.flow_id === id || (e.run_id && data.data?.flow.runs.some((r) => r.id === e.run_id))))
      refetch();
  });

  if (!data.data) return <div class="page"><PageState error={data.error} loading={data.loading} /></div>;
  const { flow, branch, stages } = data.data;
  const tone = flowTone(flow);
  const tree = stageTree(stages, flow.runs ?? []);
  const args = Object.entries(flow.args ?? {});

  const start = async (stage: Stage, args: Record<string, string> = {}) => {
    setErr(null);
    try {
      const run = await post<Run>(`/flows/${id}/runs`, { stage_id: stage.id, args });
      setStarting(null);
      navigate(`/runs/${run.id}`);
    } catch (x) {
      setErr(x);
      throw x;
    }
  };
  const askOrStart = (stage: Stage) => {
    if ((stage.schema?.parameters ?? []).length > 0) setStarting(stage);
    else void start(stage).catch(() => {});
  };

  return (
    <div class="page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> /{' '}
        {branch ? <Link href={`/branches/${branch.id}/${flow.kind}`}>{branch.name} {flow.kind.toUpperCase()}</Link> : null}
      </nav>
      <div class="page-head">
        <h1>
          <span class={`dot ${tone}`} aria-hidden="true" /> Flow {flowTitle(flow)}
        </h1>
        <span class={`badge ${tone}`}>{toneLabel(tone)}</span>
      </div>
      <p class="muted">
        {flow.kind.toUpperCase()} flow #{flow.seq?.own} · started {dateTime(flow.created)}
        {flow.finished ? ` · took ${span(flow.created, flow.finished)}` : ''}
      </p>
      <ErrorBox error={formError(err)} />
      <section aria-labelledby="stages-title">
        <h2 id="stages-title">Stages</h2>
        {tree.length === 0 ? (
          <p class="muted">This branch has no stages.</p>
        ) : (
          <div class="chart-scroll">
            <ul class="chart" aria-label="Stage runs, parent to child">
              {tree.map((n) => (
                <ChartNode key={n.name} node={n} flow={flow} onRun={askOrStart} />
              ))}
            </ul>
          </div>
        )}
      </section>
      <section aria-labelledby="args-title">
        <h2 id="args-title">Arguments</h2>
        {args.length === 0 ? (
          <p class="muted">No arguments.</p>
        ) : (
          <table class="kv">
            <tbody>
              {args.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td><code>{typeof v === 'string' ? v : JSON.stringify(v)}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {starting && <StartRunDialog stage={starting} onClose={() => setStarting(null)} onStart={start} />}
    </div>
  );
}

function ChartNode({ node, flow, onRun }: { node: Node; flow: Flow; onRun: (s: Stage) => void }) {
  const r = node.run;
  const tone = r ? runTone(r) : 'muted';
  const offset = r?.started && flow.created ? r.started - flow.created : null;
  return (
    <li>
      <div class={`node ${tone}`}>
        <div class="node-name">{node.name}</div>
        {r ? (
          <>
            <Link href={`/runs/${r.id}`} class="node-state">{runStateText(r)}</Link>
            <div class="muted small">
              {offset !== null && offset >= 0 ? `+${duration(offset) || '0s'}` : ''}
              {r.started ? ` · ${span(r.started, r.finished)}` : ''}
            </div>
            {r.state === 'manual' && node.stage && (
              <button type="button" class="small" onClick={() => onRun(node.stage!)}>Start</button>
            )}
          </>
        ) : (
          <>
            <div class="muted small">not run</div>
            {node.stage && (
              <button type="button" class="small" onClick={() => onRun(node.stage!)}>Run</button>
            )}
          </>
        )}
      </div>
      {node.children.length > 0 && (
        <ul>
          {node.children.map((c) => (
            <ChartNode key={c.name} node={c} flow={flow} onRun={onRun} />
          ))}
        </ul>
      )}
    </li>
  );
}

function StartRunDialog({ stage, onClose, onStart }: {
  stage: Stage;
  onClose: () => void;
  onStart: (s: Stage, args: Record<string, string>) => Promise<void>;
}) {
  const parameters = stage.schema?.parameters ?? [];
  const [values, setValues] = useState<Record<string, string>>(
    Object.fromEntries(parameters.map((p) => [p.name, defaultText(p)])),
  );
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await onStart(stage, values);
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Run ${stage.name}`} onClose={onClose}>
      <form onSubmit={submit}>
        <ParameterFields groups={[{ stage, parameters }]} values={values} err={err} idPrefix="run-param"
          onChange={(n, v) => setValues({ ...values, [n]: v })} />
        <ErrorBox error={formError(err, ...parameters.flatMap((p) => [`args.${p.name}`, p.name]))} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy}>Run</button>
        </div>
      </form>
    </Dialog>
  );
}
