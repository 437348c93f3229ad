// Test results as the REST API returns them (/runs/{id}/results, /results/{id}, ...), and
// the small pure helpers the result pages share.

export interface TestResult {
  id: number;
  job_id: number;
  run_id: number;
  flow_id: number;
  branch_id: number;
  agents_group_id: number;
  flow_kind: string;
  system: string;
  job_name: string;
  test: string;
  status: string;
  cmd: string | null;
  values: Record<string, { value: number; median?: number; min?: number; max?: number; stddev?: number; iterations?: number }> | null;
  message: string;
  duration: number;
  analyzed: boolean;
  change: string | null;
  age: number;
  instability: number;
  relevancy: number;
  flaky: boolean;
  flip_rate: number;
  comment_id: number | null;
  flow_label?: string;
}

export interface TestCounters {
  total: number;
  passed: number;
  not_run: number;
  new: number;
  fixes: number;
  regressions: number;
  no_change: number;
  flaky: number;
  issues_total: number;
  issues_new: number;
}

export interface ResultPage {
  items: TestResult[];
  total: number;
  limit: number;
  offset: number;
  counters?: TestCounters | null;
}

export interface CommentThread {
  id: number;
  test: string;
  state: string;
  open: boolean;
  entries: { id: number; author: string; text: string; state: string; created: number }[];
}

export const STATUSES = ['passed', 'failed', 'error', 'disabled', 'not-run', 'unsupported'];
export const CHANGES = ['regression', 'fix', 'new', 'no-change'];
export const COMMENT_STATES = ['new', 'investigating', 'bug-in-product', 'bug-in-test'];

export function statusTone(status: string): string {
  if (status === 'passed') return 'ok';
  if (status === 'failed' || status === 'error') return 'bad';
  return 'muted';
}

export function changeTone(change: string | null): string {
  if (change === 'regression') return 'bad';
  if (change === 'fix') return 'ok';
  if (change === 'new') return 'warn';
  return 'muted';
}

// The query string of the results table for the given filter values (empty ones left out).
export function resultsQuery(filter: Record<string, string>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v);
  return q.toString();
}
