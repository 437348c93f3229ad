// A stage run: its jobs (state, agent, system, group, duration, completion, why a job
// waits) with Cancel and Rerun per job and for the run; a selected job shows its steps
// and their logs, followed live while the job runs.

import { useRef, useState } from 'preact/hooks';
import { get, post } from '../api';
import { LogView } from '../components/log_view';
import { RunTests } from '../components/run_tests';
import { flowTitle, runStateText, runTone, toneLabel } from '../components/runs';
import { Badge, ErrorBox, formError, jobTone, PageState } from '../components/ui';
import { coalesce, useLive } from '../events';
import { dateTime, duration, span } from '../format';
import { useResource, useTitle } from '../hooks';
import { noteJob, noteRun, runOfJob } from '../lookup';
import { Link, navigate, useLocation } from '../router';
import type { Agent, Flow, Job, Run, Step } from '../types';

export function RunPage({ params }: { params: Record<string, string> }) {
  const id = Number(params.id);
  const { query } = useLocation();
  const selected = Number(query.get('job')) || null;
  const run = useResource(async () => {
    const r = await get<Run>(`/runs/${id}`);
    noteRun(r);
    return r;
  }, [id]);
  const flow = useResource(
    () => (run.data ? get<Flow>(`/flows/${run.data.flow_id}`).catch(() => null) : Promise.resolve(null)),
    [run.data?.flow_id],
  );
  const agents = useResource(() => get<Agent[]>('/agents').catch(() => [] as Agent[]), []);
  const [err, setErr] = useState<unknown>(null);
  useTitle(run.data ? `${run.data.stage_name} run` : 'Run');

  const reloadRun = useRef(coalesce(() => void run.reload())).current;
  const reloadAgents = useRef(coalesce(() => void agents.reload(), 500)).current;
  const jobRefetch = useRef(new Map<number, () => void>());
  const refetchJob = (jobId: number) => {
    let f = jobRefetch.current.get(jobId);
    if (!f) {
      f = coalesce(async () => {
        try {
          const j = await get<Job>(`/jobs/${jobId}`);
          noteJob(j);
          run.set((r) => (r ? { ...r, jobs: (r.jobs ?? []).map((x) => (x.id === j.id ? { ...j, steps: undefined } : x)) } : r));
          if (j.agent_id && !agents.data?.some((a) => a.id === j.agent_id)) reloadAgents();
        } catch {
          reloadRun();
        }
      });
      jobRefetch.current.set(jobId, f);
    }
    f();
  };

  useLive(async (e) => {
    if (!e) return reloadRun();
    if (e.kind === 'run' && e.id === id) reloadRun();
    else if (e.kind === 'job') {
      if (run.data?.jobs?.some((j) => j.id === e.id)) refetchJob(e.id);
      else if ((await runOfJob(e)) === id) reloadRun();
    }
  });

  if (!run.data) return <div class="page"><PageState error={run.error} loading={run.loading} /></div>;
  const r = run.data;
  const jobs = r.jobs ?? [];
  const tone = runTone(r);
  const agentName = (aid: number | null) => {
    if (!aid) return '';
    return agents.data?.find((a) => a.id === aid)?.name ?? `agent ${aid}`;
  };
  const act = async (path: string, after?: (x: unknown) => void) => {
    setErr(null);
    try {
      const res = await post<unknown>(path);
      after?.(res);
      reloadRun();
    } catch (x) {
      setErr(x);
    }
  };
  const unfinished = jobs.some((j) => j.state !== 'completed');
  const select = (jobId: number | null) => navigate(`/runs/${id}${jobId ? `?job=${jobId}` : ''}`, true);
  const selJob = jobs.find((j) => j.id === selected);

  return (
    <div class="page">
      <nav class="crumbs" aria-label="Breadcrumb">
        <Link href="/">Projects</Link> /{' '}
        {flow.data && (
          <>
            <Link href={`/branches/${flow.data.branch_id}/${flow.data.kind}`}>{flow.data.kind.toUpperCase()}</Link> /{' '}
          </>
        )}
        <Link href={`/flows/${r.flow_id}`}>Flow {flow.data ? flowTitle(flow.data) : r.flow_id}</Link>
      </nav>
      <div class="page-head">
        <h1>
          <span class={`dot ${tone}`} aria-hidden="true" /> {r.stage_name}
        </h1>
        <div class="head-actions">
          <Badge kind={tone}>{toneLabel(tone)}</Badge>
          <button type="button" onClick={() => act(`/runs/${id}/cancel`)} disabled={!unfinished}>Cancel</button>
          <button type="button" onClick={() => act(`/runs/${id}/rerun`)} disabled={unfinished || r.state === 'manual'}>
            Rerun
          </button>
        </div>
      </div>
      <p class="muted">
        {runStateText(r)}
        {r.started ? ` · started ${dateTime(r.started)}` : ''}
        {r.started ? ` · ${span(r.started, r.finished)}` : ''}
        {r.label ? ` · ${r.label}` : ''}
        {r.note ? ` · ${r.note}` : ''}
      </p>
      <ErrorBox error={formError(err)} />
      <RunTests runId={id} counters={r.tests} />
      <h2>Jobs</h2>
      {jobs.length === 0 ? (
        <p class="muted">{r.state === 'manual' ? 'This stage waits for a manual start on the flow page.' : 'No jobs in this run.'}</p>
      ) : (
        <div class="table-scroll">
          <table class="jobs">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">State</th>
                <th scope="col">Agent</th>
                <th scope="col">System</th>
                <th scope="col">Group</th>
                <th scope="col">Duration</th>
                <th scope="col">Completion</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => {
                const t = jobTone(j.state, j.completion_status);
                return (
                  <tr key={j.id} class={`${j.covered ? 'covered' : ''}${j.id === selected ? ' selected' : ''}`}>
                    <th scope="row">
                      <button type="button" class="link" aria-pressed={j.id === selected}
                        onClick={() => select(j.id === selected ? null : j.id)}>
                        {j.name}
                      </button>
                      {j.attempt > 1 && <span class="muted small"> attempt {j.attempt}</span>}
                      {j.covered && <span class="muted small"> (rerun)</span>}
                    </th>
                    <td>
                      <Badge kind={t}>{j.state}</Badge>
                      {j.state === 'queued' && j.wait_reason && <div class="muted small wait">{j.wait_reason}</div>}
                    </td>
                    <td>{j.agent_id ? <Link href="/agents">{agentName(j.agent_id)}</Link> : ''}</td>
                    <td>{j.system}</td>
                    <td>{j.agents_group}</td>
                    <td class="num">{span(j.started || j.assigned, j.finished || j.completed)}</td>
                    <td>{j.completion_status && <Badge kind={t}>{j.completion_status}</Badge>}</td>
                    <td class="row-actions">
                      {j.state !== 'completed' ? (
                        <button type="button" class="small" onClick={() => act(`/jobs/${j.id}/cancel`)}
                          aria-label={`Cancel ${j.name}`}>Cancel</button>
                      ) : !j.covered ? (
                        <button type="button" class="small" aria-label={`Rerun ${j.name}`}
                          onClick={() => act(`/jobs/${j.id}/rerun`, (x) => {
                            const nj = x as Job | null;
                            if (nj && typeof nj === 'object' && nj.id) select(nj.id);
                          })}>Rerun</button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {selected && <JobPanel key={selected} jobId={selected} summary={selJob} onClose={() => select(null)} />}
      {!selected && jobs.length > 0 && <p class="muted">Select a job to see its steps and logs.</p>}
    </div>
  );
}

// The selected job's steps and logs, refetched on the job's live events. Only steps that may still write
// are followed live: each follow holds a connection, and browsers allow few per server.
function JobPanel({ jobId, summary, onClose }: { jobId: number; summary: Job | undefined; onClose: () => void }) {
  const job = useResource(() => get<Job>(`/jobs/${jobId}`), [jobId]);
  // Every step that ends, and every change of the job's state, comes as an event of the job.
  const reload = useRef(coalesce(() => void job.reload())).current;
  useLive((e) => {
    if (!e || (e.kind === 'job' && e.id === jobId)) reload();
  });
  const [open, setOpen] = useState<Record<number, boolean>>({});
  const shown = useRef(new Set<number>());
  const j = job.data;
  const steps = j?.steps ?? [];
  const running = j ? j.state !== 'completed' : false;
  return (
    <section class="card job-panel" aria-labelledby="job-title">
      <div class="card-head">
        <h2 id="job-title">{j?.name ?? summary?.name ?? `Job ${jobId}`}</h2>
        <div class="head-actions">
          <a href={`/api/v1/jobs/${jobId}/log`} target="_blank" rel="noopener">Whole log</a>
          <button type="button" class="icon" aria-label="Close job" onClick={onClose}>×</button>
        </div>
      </div>
      <PageState error={job.error} loading={job.loading && !j} />
      {j && (
        <p class="muted small">
          {j.system} · {j.executor} · group {j.agents_group} · timeout {duration(j.timeout * 1000)}
          {j.notes ? ` · ${j.notes}` : ''}
        </p>
      )}
      {j && steps.length === 0 && <p class="muted">This job has no steps.</p>}
      <ol class="steps">
        {steps.map((s) => {
          // A step shown open once stays open when it finishes, until the reader closes it.
          const byDefault = s.status === 'in-progress' || s.status === 'error' || steps.length === 1;
          if (byDefault) shown.current.add(s.index);
          const isOpen = open[s.index] ?? shown.current.has(s.index);
          return (
            <li key={s.index} class={`step ${stepTone(s)}`}>
              <details open={isOpen} onToggle={(e) => {
                const now = (e.currentTarget as HTMLDetailsElement).open;
                if (now !== isOpen) setOpen((o) => ({ ...o, [s.index]: now }));
              }}>
                <summary>
                  <span class="step-name">{s.name || s.tool}</span>
                  <span class="muted small">{s.tool}</span>
                  <Badge kind={stepTone(s)}>{s.status}</Badge>
                  <span class="muted small num">
                    {s.duration !== null && s.duration !== undefined ? duration(s.duration * 1000) : span(s.started, s.finished)}
                  </span>
                  {s.retcode !== null && s.retcode !== undefined && s.retcode !== 0 && (
                    <span class="small error-text">exit {s.retcode}</span>
                  )}
                </summary>
                {s.message && <p class="small error-text">{s.message}</p>}
                {isOpen && (
                  <LogView path={`/jobs/${jobId}/steps/${s.index}/log`}
                    follow={running && (s.status === 'in-progress' || s.status === 'not-started')}
                    label={`Log of step ${s.index + 1}, ${s.name || s.tool}`} />
                )}
              </details>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function stepTone(s: Step): string {
  switch (s.status) {
    case 'done':
      return 'ok';
    case 'error':
      return 'bad';
    case 'in-progress':
      return 'busy';
    case 'skipped':
      return 'muted';
    default:
      return 'wait';
  }
}
