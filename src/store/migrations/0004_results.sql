-- Test results with their analysis, lint issues, comments on failing tests, run counters,
-- artifacts and caches (files in the blob store), user data and branch retention.
CREATE TABLE test_results (
  id {pk}, job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  run_id BIGINT NOT NULL, flow_id BIGINT NOT NULL, branch_id BIGINT NOT NULL,
  flow_kind TEXT NOT NULL, stage_id BIGINT NOT NULL, group_id BIGINT NOT NULL,
  system TEXT NOT NULL, job_name TEXT NOT NULL, test_name TEXT NOT NULL,
  status INTEGER NOT NULL, cmd TEXT, values_json TEXT, message TEXT NOT NULL DEFAULT '',
  duration DOUBLE PRECISION NOT NULL DEFAULT 0, analyzed INTEGER NOT NULL DEFAULT 0,
  change INTEGER NOT NULL DEFAULT 3, age INTEGER NOT NULL DEFAULT 1,
  instability INTEGER NOT NULL DEFAULT 0, relevancy INTEGER NOT NULL DEFAULT 0,
  flaky INTEGER NOT NULL DEFAULT 0, flip_rate DOUBLE PRECISION NOT NULL DEFAULT 0,
  recent TEXT NOT NULL DEFAULT '', comment_id BIGINT, created BIGINT NOT NULL);
CREATE INDEX test_results_run ON test_results (run_id, relevancy);
CREATE INDEX test_results_run_name ON test_results (run_id, test_name);
CREATE INDEX test_results_job ON test_results (job_id, analyzed);
CREATE INDEX test_results_test ON test_results (test_name, branch_id, id);

CREATE TABLE result_batches (
  job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, step_idx BIGINT NOT NULL,
  seq BIGINT NOT NULL, created BIGINT NOT NULL, PRIMARY KEY (job_id, step_idx, seq));

CREATE TABLE run_counters (
  run_id BIGINT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  tests_total BIGINT NOT NULL DEFAULT 0, tests_passed BIGINT NOT NULL DEFAULT 0,
  tests_not_run BIGINT NOT NULL DEFAULT 0, tests_new BIGINT NOT NULL DEFAULT 0,
  tests_fixes BIGINT NOT NULL DEFAULT 0, tests_regressions BIGINT NOT NULL DEFAULT 0,
  tests_no_change BIGINT NOT NULL DEFAULT 0, tests_flaky BIGINT NOT NULL DEFAULT 0,
  issues_total BIGINT NOT NULL DEFAULT 0, issues_new BIGINT NOT NULL DEFAULT 0,
  processed BIGINT NOT NULL DEFAULT 0);

CREATE TABLE issues (
  id {pk}, job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  run_id BIGINT NOT NULL, path TEXT NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL,
  symbol TEXT NOT NULL, message TEXT NOT NULL, issue_type INTEGER NOT NULL,
  age INTEGER NOT NULL DEFAULT 1, extra TEXT NOT NULL DEFAULT '{}', created BIGINT NOT NULL);
CREATE INDEX issues_run ON issues (run_id);
CREATE INDEX issues_job ON issues (job_id);

CREATE TABLE test_comments (
  id {pk}, branch_id BIGINT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
  test_name TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0, open INTEGER NOT NULL DEFAULT 1,
  created BIGINT NOT NULL, updated BIGINT NOT NULL, closed_by BIGINT);
CREATE INDEX test_comments_test ON test_comments (branch_id, open, test_name);
CREATE TABLE test_comment_entries (
  id {pk}, comment_id BIGINT NOT NULL REFERENCES test_comments(id) ON DELETE CASCADE,
  author TEXT NOT NULL, text TEXT NOT NULL, state INTEGER NOT NULL, created BIGINT NOT NULL);
CREATE INDEX test_comment_entries_comment ON test_comment_entries (comment_id);

CREATE TABLE artifacts (
  id {pk}, kind TEXT NOT NULL, branch_id BIGINT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
  flow_id BIGINT NOT NULL, run_id BIGINT NOT NULL, job_id BIGINT NOT NULL,
  flow_kind TEXT NOT NULL, cache_key TEXT NOT NULL DEFAULT '', scope TEXT NOT NULL DEFAULT '',
  path TEXT NOT NULL, size BIGINT NOT NULL, received BIGINT NOT NULL DEFAULT 0,
  complete INTEGER NOT NULL DEFAULT 0, public INTEGER NOT NULL DEFAULT 0,
  report_entry INTEGER NOT NULL DEFAULT 0, created BIGINT NOT NULL);
CREATE INDEX artifacts_flow ON artifacts (flow_id, run_id);
CREATE INDEX artifacts_cache ON artifacts (branch_id, kind, scope, cache_key, id);
CREATE TABLE blob_grants (
  token TEXT PRIMARY KEY, artifact_id BIGINT NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
  mode TEXT NOT NULL, expires BIGINT NOT NULL);

CREATE TABLE user_data (
  scope TEXT NOT NULL, entity_id BIGINT NOT NULL, data TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (scope, entity_id));

CREATE TABLE branch_retention (
  branch_id BIGINT PRIMARY KEY REFERENCES branches(id) ON DELETE CASCADE,
  ci_logs INTEGER NOT NULL DEFAULT 6, dev_logs INTEGER NOT NULL DEFAULT 3,
  ci_artifacts INTEGER NOT NULL DEFAULT 6, dev_artifacts INTEGER NOT NULL DEFAULT 3);
