-- Earlier attempts of a job: one row per attempt that was taken back from its agent and
-- re-queued (agent lost, agent restarted, machine preempted). The job's own row describes
-- its current (or final) attempt.
CREATE TABLE job_attempts (
  id {pk}, job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  attempt BIGINT NOT NULL, agent_id BIGINT, outcome TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '', assigned BIGINT NOT NULL DEFAULT 0,
  started BIGINT NOT NULL DEFAULT 0, ended BIGINT NOT NULL);
CREATE INDEX job_attempts_job ON job_attempts (job_id, attempt);
