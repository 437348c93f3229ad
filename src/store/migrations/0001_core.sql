-- The core records: users and tokens, projects, branches, stages, flows, runs, jobs,
-- steps, logs, agents, groups and registration tokens.
CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE users (
  id {pk}, name TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0, created BIGINT NOT NULL);

CREATE TABLE tokens (
  id {pk}, user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', token_hash TEXT NOT NULL UNIQUE,
  created BIGINT NOT NULL, expires BIGINT NOT NULL DEFAULT 0);

CREATE TABLE projects (
  id {pk}, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL DEFAULT '',
  created BIGINT NOT NULL);

CREATE TABLE branches (
  id {pk}, project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL, branch_name TEXT NOT NULL, env TEXT NOT NULL DEFAULT '{}',
  flow_seq BIGINT NOT NULL DEFAULT 0, ci_seq BIGINT NOT NULL DEFAULT 0,
  dev_seq BIGINT NOT NULL DEFAULT 0, created BIGINT NOT NULL,
  UNIQUE (project_id, name));

CREATE TABLE stages (
  id {pk}, branch_id BIGINT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
  name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '', enabled INTEGER NOT NULL DEFAULT 1,
  schema_format TEXT NOT NULL DEFAULT 'json', schema_code TEXT NOT NULL DEFAULT '',
  schema_json TEXT NOT NULL DEFAULT '{}', created BIGINT NOT NULL, updated BIGINT NOT NULL,
  UNIQUE (branch_id, name));

CREATE TABLE flows (
  id {pk}, branch_id BIGINT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
  kind TEXT NOT NULL, state TEXT NOT NULL, seq BIGINT NOT NULL, kind_seq BIGINT NOT NULL,
  label TEXT NOT NULL DEFAULT '', args TEXT NOT NULL DEFAULT '{}',
  data TEXT NOT NULL DEFAULT '{}', created BIGINT NOT NULL, finished BIGINT NOT NULL DEFAULT 0);
CREATE INDEX flows_branch ON flows (branch_id, kind, id);

CREATE TABLE runs (
  id {pk}, flow_id BIGINT NOT NULL REFERENCES flows(id) ON DELETE CASCADE,
  stage_id BIGINT NOT NULL, stage_name TEXT NOT NULL, state TEXT NOT NULL,
  args TEXT NOT NULL DEFAULT '{}', label TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '{}', schema_json TEXT NOT NULL DEFAULT '{}',
  note TEXT NOT NULL DEFAULT '', jobs_total BIGINT NOT NULL DEFAULT 0,
  jobs_error BIGINT NOT NULL DEFAULT 0, created BIGINT NOT NULL,
  started BIGINT NOT NULL DEFAULT 0, finished BIGINT NOT NULL DEFAULT 0);
CREATE INDEX runs_flow ON runs (flow_id);
CREATE INDEX runs_state ON runs (state);

CREATE TABLE agents_groups (
  id {pk}, name TEXT NOT NULL UNIQUE, project_id BIGINT,
  deployment TEXT NOT NULL DEFAULT '{"method":"manual"}', created BIGINT NOT NULL);

CREATE TABLE agents (
  id {pk}, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
  authorized INTEGER NOT NULL DEFAULT 0, disabled INTEGER NOT NULL DEFAULT 0,
  host_info TEXT NOT NULL DEFAULT '{}', system TEXT NOT NULL DEFAULT '',
  last_seen BIGINT NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0,
  job_id BIGINT, machine_id BIGINT, created BIGINT NOT NULL);

CREATE TABLE agent_groups (
  agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  group_id BIGINT NOT NULL REFERENCES agents_groups(id) ON DELETE CASCADE,
  PRIMARY KEY (agent_id, group_id));

CREATE TABLE registration_tokens (
  id {pk}, token_hash TEXT NOT NULL UNIQUE, group_id BIGINT, machine_id BIGINT,
  expires BIGINT NOT NULL, used INTEGER NOT NULL DEFAULT 0, created BIGINT NOT NULL);

CREATE TABLE jobs (
  id {pk}, run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL, state TEXT NOT NULL, completion TEXT NOT NULL DEFAULT '',
  group_id BIGINT NOT NULL, group_name TEXT NOT NULL, system TEXT NOT NULL,
  executor TEXT NOT NULL, timeout BIGINT NOT NULL, agent_id BIGINT,
  attempt BIGINT NOT NULL DEFAULT 1, max_retries BIGINT NOT NULL DEFAULT 1,
  covered INTEGER NOT NULL DEFAULT 0, env TEXT NOT NULL DEFAULT '{}',
  wait_reason TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '',
  created BIGINT NOT NULL, assigned BIGINT NOT NULL DEFAULT 0,
  started BIGINT NOT NULL DEFAULT 0, finished BIGINT NOT NULL DEFAULT 0,
  completed BIGINT NOT NULL DEFAULT 0);
CREATE INDEX jobs_run ON jobs (run_id);
CREATE INDEX jobs_state ON jobs (state, agent_id);

CREATE TABLE steps (
  id {pk}, job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  idx BIGINT NOT NULL, tool TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',
  fields TEXT NOT NULL DEFAULT '{}', when_expr TEXT NOT NULL DEFAULT 'was_no_error',
  status TEXT NOT NULL, retcode BIGINT, reason TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '', started BIGINT NOT NULL DEFAULT 0,
  finished BIGINT NOT NULL DEFAULT 0, UNIQUE (job_id, idx));

CREATE TABLE log_chunks (
  job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  step_idx BIGINT NOT NULL, seq BIGINT NOT NULL, data TEXT NOT NULL,
  created BIGINT NOT NULL, PRIMARY KEY (job_id, step_idx, seq));
