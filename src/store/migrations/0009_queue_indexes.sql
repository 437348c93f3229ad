-- The queue is read oldest run first, then oldest job, after every job change: these
-- indexes give that order without sorting the whole queue, overall and per agents group.
CREATE INDEX jobs_queue ON jobs (state, run_id, id);
CREATE INDEX jobs_group_queue ON jobs (state, group_id, run_id, id);
-- A run's end is checked at every job's end, by looking for one unfinished job.
CREATE INDEX jobs_run_state ON jobs (run_id, state);
