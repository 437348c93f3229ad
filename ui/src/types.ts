// Records of the Kraken REST API (docs/openapi.json). Times are milliseconds since the epoch.

import type { TestCounters } from './test_results';

export type Millis = number | null;

export interface User {
  id: number;
  name: string;
  is_admin: boolean;
  created: Millis;
}

export interface Branch {
  id: number;
  project_id: number;
  name: string;
  branch_name: string;
  env: Record<string, string>;
  sequences?: { flow: number; ci: number; dev: number };
  created: Millis;
}

export interface Project {
  id: number;
  name: string;
  description: string;
  created: Millis;
  branches: Branch[];
}

export type SchemaFormat = 'json' | 'starlark' | 'yaml';

export interface StageParameter {
  name: string;
  type?: string;
  default?: unknown;
  description?: string;
}

export interface StageSchema {
  parent?: string;
  triggers?: Record<string, unknown>;
  parameters?: StageParameter[];
  jobs?: unknown[];
  [key: string]: unknown;
}

export interface Stage {
  id: number;
  branch_id: number;
  name: string;
  description: string;
  enabled: boolean;
  schema_format: string;
  schema_code: string;
  schema: StageSchema;
  created: Millis;
  updated: Millis;
}

export type FlowKind = 'ci' | 'dev';

export interface Flow {
  id: number;
  branch_id: number;
  kind: FlowKind;
  state: 'in-progress' | 'completed';
  seq: { shared: number; own: number };
  label: string;
  args: Record<string, unknown>;
  created: Millis;
  finished: Millis;
  runs: Run[];
}

export type RunState = 'creating' | 'in-progress' | 'manual' | 'completed' | 'processed';

export interface Run {
  id: number;
  flow_id: number;
  stage_id: number;
  stage_name: string;
  state: RunState;
  args: Record<string, unknown>;
  label: string;
  reason: Record<string, unknown>;
  note: string;
  jobs_total: number;
  jobs_error: number;
  created: Millis;
  started: Millis;
  finished: Millis;
  jobs?: Job[];
  tests?: TestCounters | null;  // null until the run's results are analysed
}

export type JobState = 'queued' | 'assigned' | 'executing-finished' | 'completed';

export interface Job {
  id: number;
  run_id: number;
  name: string;
  state: JobState;
  completion_status: string | null;
  agents_group_id: number;
  agents_group: string;
  system: string;
  executor: string;
  timeout: number;
  agent_id: number | null;
  attempt: number;
  covered: boolean;
  wait_reason: string;
  notes: string;
  created: Millis;
  assigned: Millis;
  started: Millis;
  finished: Millis;
  completed: Millis;
  steps?: Step[];
}

export type StepStatus = 'not-started' | 'in-progress' | 'done' | 'error' | 'skipped';

export interface Step {
  id: number;
  job_id: number;
  index: number;
  tool: string;
  name: string;
  fields: Record<string, unknown>;
  when: string;
  status: StepStatus;
  retcode: number | null;
  reason: string;
  message: string;
  started: Millis;
  finished: Millis;
  duration: number | null;
}

export interface Agent {
  id: number;
  name: string;
  authorized: boolean;
  disabled: boolean;
  host_info: Record<string, unknown>;
  system: string;
  last_seen: Millis;
  state: 'online' | 'lost';
  job_id: number | null;
  machine_id?: number | null;
  groups: number[];
  created: Millis;
}

export type DeploymentMethod = 'manual' | 'local' | 'docker' | 'aws_ec2' | 'kubernetes';

export interface Deployment {
  method: DeploymentMethod;
  [option: string]: unknown;
}

export interface AgentsGroup {
  id: number;
  name: string;
  project_id: number | null;
  deployment: Deployment;
  created: Millis;
  agents?: Agent[];
}

export interface Machine {
  id: number;
  name?: string;
  state: string;
  system?: string;
  created?: Millis;
  updated?: Millis;
  last_error?: string;
  agent_id?: number | null;
  driver_id?: string;
  job_count?: number;
  [key: string]: unknown;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
