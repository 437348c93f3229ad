// How flows and runs look: colour by outcome (red: erred jobs, yellow: failing tests,
// green: all good, grey and animated: still going) and the per-stage run boxes.

import { span } from '../format';
import type { Flow, Run } from '../types';

export type Tone = 'ok' | 'bad' | 'warn' | 'busy' | 'wait' | 'muted';

export function runTone(r: Run): Tone {
  if (r.state === 'creating' || r.state === 'in-progress') return 'busy';
  if (r.state === 'manual') return 'wait';
  if (r.jobs_error > 0) return 'bad';
  const failing = Number((r as unknown as Record<string, unknown>).tests_failed ?? 0);
  if (failing > 0) return 'warn';
  return 'ok';
}

export function runStateText(r: Run): string {
  switch (runTone(r)) {
    case 'busy':
      return 'in progress';
    case 'wait':
      return 'waits for a manual start';
    case 'bad':
      return `${r.jobs_error} of ${r.jobs_total} jobs erred`;
    case 'warn':
      return 'tests failing';
    default:
      return r.jobs_total ? `${r.jobs_total} jobs ok` : 'no jobs';
  }
}

export function flowTone(f: Flow): Tone {
  const runs = f.runs ?? [];
  if (f.state === 'in-progress') return 'busy';
  if (runs.some((r) => runTone(r) === 'bad')) return 'bad';
  if (runs.some((r) => runTone(r) === 'warn')) return 'warn';
  if (runs.length === 0) return 'muted';
  return 'ok';
}

export function toneLabel(t: Tone): string {
  return { ok: 'passed', bad: 'failed', warn: 'tests failing', busy: 'in progress', wait: 'waiting', muted: 'no runs' }[t];
}

export function flowTitle(f: Flow): string {
  return f.label && f.label !== `${f.seq.shared}.` ? f.label : `${f.kind.toUpperCase()} ${f.seq.own || f.id}`;
}

// One box per stage run, linking to the run page. Kept to three elements: a results page
// shows hundreds of them.
export function RunBox({ run, now }: { run: Run; now: number }) {
  const tone = runTone(run);
  const meta = [
    run.jobs_total ? `${run.jobs_total - run.jobs_error}/${run.jobs_total} jobs` : '',
    run.started ? span(run.started, run.finished, now) : '',
    run.label,
  ].filter(Boolean).join(' · ');
  const text = `${run.stage_name}: ${runStateText(run)}`;
  return (
    <a href={`/runs/${run.id}`} class={`runbox ${tone}`} title={text} aria-label={meta ? `${text}, ${meta}` : text}>
      <span class="runbox-name">{run.stage_name}</span>
      <span class="runbox-meta">{meta || toneLabel(tone)}</span>
    </a>
  );
}
