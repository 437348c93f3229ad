// Finds where a live event belongs (job -> run -> flow -> branch) with as few requests as
// possible: ids the server puts in the event are used first, then what was seen before.

import { get } from './api';
import type { LiveEvent } from './events';
import type { Flow, Job, Run } from './types';

const jobRun = new Map<number, number>();
const runFlow = new Map<number, number>();
const flowBranch = new Map<number, number>();

function remember(map: Map<number, number>, k: number, v: number) {
  if (map.size > 20000) map.clear();
  map.set(k, v);
}

export function noteFlow(f: Flow): void {
  remember(flowBranch, f.id, f.branch_id);
  for (const r of f.runs ?? []) remember(runFlow, r.id, f.id);
}

export function noteRun(r: Run): void {
  remember(runFlow, r.id, r.flow_id);
  for (const j of r.jobs ?? []) remember(jobRun, j.id, r.id);
}

export function noteJob(j: Job): void {
  remember(jobRun, j.id, j.run_id);
}

export async function runOfJob(ev: LiveEvent): Promise<number | undefined> {
  if (ev.run_id) return ev.run_id;
  const known = jobRun.get(ev.id);
  if (known !== undefined) return known;
  try {
    const j = await get<Job>(`/jobs/${ev.id}`);
    noteJob(j);
    return j.run_id;
  } catch {
    return undefined;
  }
}

export async function flowOfRun(runId: number, ev?: LiveEvent): Promise<number | undefined> {
  if (ev?.flow_id) return ev.flow_id;
  const known = runFlow.get(runId);
  if (known !== undefined) return known;
  try {
    const r = await get<Run>(`/runs/${runId}`);
    noteRun(r);
    return r.flow_id;
  } catch {
    return undefined;
  }
}

export async function branchOfFlow(flowId: number, ev?: LiveEvent): Promise<number | undefined> {
  if (ev?.branch_id) return ev.branch_id;
  const known = flowBranch.get(flowId);
  if (known !== undefined) return known;
  try {
    const f = await get<Flow>(`/flows/${flowId}`);
    noteFlow(f);
    return f.branch_id;
  } catch {
    return undefined;
  }
}

// The flow an event of kind flow, run or job belongs to.
export async function flowOfEvent(ev: LiveEvent): Promise<number | undefined> {
  if (ev.kind === 'flow') return ev.id;
  if (ev.kind === 'run') return flowOfRun(ev.id, ev);
  if (ev.kind === 'job') {
    if (ev.flow_id) return ev.flow_id;
    const run = await runOfJob(ev);
    return run === undefined ? undefined : flowOfRun(run);
  }
  return undefined;
}
