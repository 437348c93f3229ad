-- Machines of autoscaled agents groups: one row per machine the autoscaler decided to
-- create, from the decision to its end. `transitions` is a JSON list of [state, time].
CREATE TABLE machines (
  id {pk}, group_id BIGINT NOT NULL, system TEXT NOT NULL DEFAULT 'any',
  state TEXT NOT NULL, driver_id TEXT NOT NULL DEFAULT '',
  method TEXT NOT NULL DEFAULT '', deployment_hash TEXT NOT NULL DEFAULT '',
  agent_id BIGINT, job_count BIGINT NOT NULL DEFAULT 0,
  token_hash TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '',
  boot_deadline BIGINT NOT NULL DEFAULT 0, idle_since BIGINT NOT NULL DEFAULT 0,
  queued_at BIGINT NOT NULL DEFAULT 0, transitions TEXT NOT NULL DEFAULT '[]',
  created BIGINT NOT NULL, updated BIGINT NOT NULL);
CREATE INDEX machines_group_state ON machines (group_id, state);
CREATE INDEX jobs_agent ON jobs (agent_id);
