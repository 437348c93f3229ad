// Branch Results (CI and DEV tabs): the branch's flows, newest first, each with a box per
// stage run; Run Flow with a parameters form; paging. Rows follow live events: only the
// flows an event names are fetched again.

import { useRef, useState } from 'preact/hooks';
import { get, post } from '../api';
import { BranchHead, useBranch } from '../components/branch_head';
import { flowTitle, flowTone, RunBox, toneLabel } from '../components/runs';
import { Dialog, Empty, ErrorBox, Field, fieldError, formError, PageState } from '../components/ui';
import { useLive } from '../events';
import { dateTime, span } from '../format';
import { useResource, useTitle } from '../hooks';
import { branchOfFlow, flowOfRun, noteFlow } from '../lookup';
import { Link, navigate, useLocation } from '../router';
import type { Flow, FlowKind, Page, Stage, StageParameter } from '../types';

const PAGE_SIZES = [20, 50, 100];

export function BranchResultsPage({ params, kind }: { params: Record<string, string>; kind: FlowKind }) {
  const id = Number(params.id);
  const { query } = useLocation();
  const limit = PAGE_SIZES.includes(Number(query.get('limit'))) ? Number(query.get('limit')) : 20;
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  const head = useBranch(id);
  const flows = useResource(async () => {
    const page = await get<Page<Flow>>(`/branches/${id}/flows?kind=${kind}&limit=${limit}&offset=${offset}`);
    page.items.forEach(noteFlow);
    return page;
  }, [id, kind, limit, offset]);
  const [runFlow, setRunFlow] = useState(false);
  useTitle(head.data ? `${head.data.branch.name} · ${kind.toUpperCase()}` : 'Branch');

  // Flows named by events, fetched together once a burst of events is over.
  const pending = useRef(new Set<number>());
  const timer = useRef<number | undefined>(undefined);
  const flush = async () => {
    timer.current = undefined;
    const ids = [...pending.current];
    pending.current.clear();
    const fresh = (await Promise.all(ids.map((f) => get<Flow>(`/flows/${f}`).catch(() => null)))).filter(
      (f): f is Flow => !!f && f.branch_id === id && f.kind === kind,
    );
    if (fresh.length === 0) return;
    fresh.forEach(noteFlow);
    flows.set((page) => {
      if (!page) return page;
      const items = [...page.items];
      let total = page.total;
      for (const f of fresh) {
        const at = items.findIndex((x) => x.id === f.id);
        if (at >= 0) items[at] = f;
        else if (offset === 0) {
          items.push(f);
          total++;
        }
      }
      items.sort((a, b) => b.id - a.id);
      return { ...page, items: items.slice(0, limit), total };
    });
  };
  const refetchFlow = (flowId: number) => {
    pending.current.add(flowId);
    if (timer.current === undefined) timer.current = window.setTimeout(flush, 100);
  };

  useLive(async (e) => {
    if (!e) {
      void flows.reload();
      return;
    }
    const shown = (f: number) => flows.data?.items.some((x) => x.id === f) ?? false;
    if (e.kind === 'flow') {
      if (shown(e.id)) refetchFlow(e.id);
      else if (offset === 0 && (await branchOfFlow(e.id, e)) === id) refetchFlow(e.id);
    } else if (e.kind === 'run' || (e.kind === 'job' && (e.flow_id || e.run_id))) {
      const flow = e.kind === 'run' ? await flowOfRun(e.id, e) : e.flow_id ?? (await flowOfRun(e.run_id!));
      if (flow !== undefined && shown(flow)) refetchFlow(flow);
    }
  });

  const base = `/branches/${id}/${kind}`;
  const pageHref = (o: number, l = limit) => `${base}?offset=${o}${l !== 20 ? `&limit=${l}` : ''}`;
  const page = flows.data;
  const now = Date.now();

  return (
    <div class="page">
      {head.data ? (
        <BranchHead branch={head.data.branch} project={head.data.project} tab={kind}>
          <button type="button" class="primary" onClick={() => setRunFlow(true)}>
            Run Flow
          </button>
        </BranchHead>
      ) : (
        <PageState error={head.error} loading={false} />
      )}
      <PageState error={flows.error} loading={flows.loading && !page} />
      {page && page.items.length === 0 && (
        <Empty>
          No {kind.toUpperCase()} flows yet — click <strong>Run Flow</strong>.
        </Empty>
      )}
      {page && page.items.length > 0 && (
        <ol class="flows" aria-label={`${kind.toUpperCase()} flows, newest first`}>
          {page.items.map((f) => {
            const tone = flowTone(f);
            return (
              <li key={f.id} class={`flow-row ${tone}`}>
                <div class="flow-id">
                  <a href={`/flows/${f.id}`} class="flow-link" aria-label={`Flow ${flowTitle(f)}, ${toneLabel(tone)}`}>
                    <span class={`dot ${tone}`} aria-hidden="true" />
                    {flowTitle(f)}
                  </a>
                  <div class="muted small">{dateTime(f.created)}</div>
                </div>
                <div class="runboxes">
                  {(f.runs ?? []).length === 0 ? (
                    <span class="muted small">no stage runs</span>
                  ) : (
                    f.runs.map((r) => <RunBox key={r.id} run={r} now={now} />)
                  )}
                </div>
                <div class="num flow-time" title="duration">{span(f.created, f.finished, now)}</div>
              </li>
            );
          })}
        </ol>
      )}
      {page && page.total > 0 && (
        <nav class="pager" aria-label="Pages">
          <Link href={pageHref(Math.max(0, offset - limit))} aria-disabled={offset === 0 ? 'true' : undefined}
            class={offset === 0 ? 'disabled' : ''}>
            Newer
          </Link>
          <span>
            {offset + 1}–{Math.min(offset + page.items.length, page.total)} of {page.total}
          </span>
          <Link href={pageHref(offset + limit)} aria-disabled={offset + limit >= page.total ? 'true' : undefined}
            class={offset + limit >= page.total ? 'disabled' : ''}>
            Older
          </Link>
          <label for="page-size">Per page</label>
          <select id="page-size" value={limit} onChange={(e) => navigate(pageHref(0, Number(e.currentTarget.value)))}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>{n}</option>
            ))}
          </select>
        </nav>
      )}
      {runFlow && (
        <RunFlowDialog
          branchId={id}
          kind={kind}
          onClose={() => setRunFlow(false)}
          onStarted={(f) => {
            setRunFlow(false);
            noteFlow(f);
            if (offset === 0)
              flows.set((p) =>
                p && !p.items.some((x) => x.id === f.id)
                  ? { ...p, items: [f, ...p.items].slice(0, limit), total: p.total + 1 }
                  : p,
              );
            else navigate(base);
          }}
        />
      )}
    </div>
  );
}

// The parameters of a branch's enabled stages, grouped by stage, defaults filled.
export function useStageParameters(branchId: number) {
  return useResource(async () => {
    const stages = await get<Stage[]>(`/branches/${branchId}/stages`);
    return stages
      .filter((s) => s.enabled && Array.isArray(s.schema?.parameters) && s.schema.parameters.length > 0)
      .map((s) => ({ stage: s, parameters: s.schema.parameters as StageParameter[] }));
  }, [branchId]);
}

export function defaultText(p: StageParameter): string {
  if (p.default === undefined || p.default === null) return '';
  return typeof p.default === 'string' ? p.default : JSON.stringify(p.default);
}

// Inputs for stage parameters; `values` is keyed by parameter name.
export function ParameterFields({ groups, values, onChange, err, idPrefix }: {
  groups: { stage: Stage; parameters: StageParameter[] }[];
  values: Record<string, string>;
  onChange: (name: string, v: string) => void;
  err: unknown;
  idPrefix: string;
}) {
  return (
    <>
      {groups.map(({ stage, parameters }) => (
        <fieldset key={stage.id}>
          <legend>{stage.name}</legend>
          {parameters.map((p) => {
            const fid = `${idPrefix}-${stage.id}-${p.name}`;
            return (
              <Field key={p.name} id={fid} label={p.name} hint={p.description}
                error={fieldError(err, `args.${p.name}`, p.name)}>
                <input id={fid} value={values[p.name] ?? ''} onInput={(e) => onChange(p.name, e.currentTarget.value)} />
              </Field>
            );
          })}
        </fieldset>
      ))}
    </>
  );
}

function RunFlowDialog({ branchId, kind, onClose, onStarted }: {
  branchId: number;
  kind: FlowKind;
  onClose: () => void;
  onStarted: (f: Flow) => void;
}) {
  const params = useStageParameters(branchId);
  const [values, setValues] = useState<Record<string, string> | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const groups = params.data ?? [];
  const defaults: Record<string, string> = {};
  for (const g of groups) for (const p of g.parameters) if (!(p.name in defaults)) defaults[p.name] = defaultText(p);
  const current = values ?? defaults;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    try {
      onStarted(await post<Flow>(`/branches/${branchId}/flows`, { kind, args: current }));
    } catch (x) {
      setErr(x);
    } finally {
      setBusy(false);
    }
  };
  const names = groups.flatMap((g) => g.parameters.flatMap((p) => [`args.${p.name}`, p.name]));

  return (
    <Dialog title={`Run ${kind.toUpperCase()} Flow`} onClose={onClose}>
      <form onSubmit={submit}>
        <PageState error={params.error} loading={params.loading} />
        {params.data && groups.length === 0 && <p class="muted">The stages of this branch take no parameters.</p>}
        <ParameterFields groups={groups} values={current} err={err} idPrefix="flow-param"
          onChange={(n, v) => setValues({ ...current, [n]: v })} />
        <ErrorBox error={formError(err, ...names)} />
        <div class="actions">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy || params.loading}>Run Flow</button>
        </div>
      </form>
    </Dialog>
  );
}
