// Flows, runs, jobs, steps and logs.
#include "store/store.h"

namespace kraken::store {
namespace {

constexpr const char* kFlowCols =
    "id, branch_id, kind, state, seq, kind_seq, label, args, data, created, finished";
constexpr const char* kRunCols =
    "id, flow_id, stage_id, stage_name, state, args, label, reason, note, jobs_total, "
    "jobs_error, created, started, finished";
constexpr const char* kJobCols =
    "id, run_id, name, state, completion, group_id, group_name, system, executor, timeout, "
    "agent_id, attempt, max_retries, covered, env, wait_reason, notes, created, assigned, "
    "started, finished, completed";
constexpr const char* kStepCols =
    "id, job_id, idx, tool, name, fields, when_expr, status, retcode, reason, message, started, "
    "finished";

std::string Sel(const char* cols, const char* rest) {
  return std::string("SELECT ") + cols + " " + rest;
}

Flow FlowOf(const Row& r) {
  Flow f;
  f.id = r.Int(0);
  f.branch_id = r.Int(1);
  f.kind = ParseFlowKind(r.Text(2)).value_or(FlowKind::kCi);
  f.state = ParseFlowState(r.Text(3)).value_or(FlowState::kInProgress);
  f.seq = r.Int(4);
  f.kind_seq = r.Int(5);
  f.label = r.Text(6);
  f.args = ParseJsonColumn(r.Text(7));
  f.data = ParseJsonColumn(r.Text(8));
  f.created = r.Int(9);
  f.finished = r.Int(10);
  return f;
}

Run RunOf(const Row& r) {
  Run x;
  x.id = r.Int(0);
  x.flow_id = r.Int(1);
  x.stage_id = r.Int(2);
  x.stage_name = r.Text(3);
  x.state = ParseRunState(r.Text(4)).value_or(RunState::kCreating);
  x.args = ParseJsonColumn(r.Text(5));
  x.label = r.Text(6);
  x.reason = ParseJsonColumn(r.Text(7));
  x.note = r.Text(8);
  x.jobs_total = r.Int(9);
  x.jobs_error = r.Int(10);
  x.created = r.Int(11);
  x.started = r.Int(12);
  x.finished = r.Int(13);
  return x;
}

Job JobOf(const Row& r) {
  Job j;
  j.id = r.Int(0);
  j.run_id = r.Int(1);
  j.name = r.Text(2);
  j.state = ParseJobState(r.Text(3)).value_or(JobState::kQueued);
  j.completion = ParseCompletionStatus(r.Text(4)).value_or(CompletionStatus::kNone);
  j.group_id = r.Int(5);
  j.group_name = r.Text(6);
  j.system = r.Text(7);
  j.executor = r.Text(8);
  j.timeout = r.Int(9);
  j.agent_id = OptIdOf(r, 10);
  j.attempt = r.Int(11);
  j.max_retries = r.Int(12);
  j.covered = r.Int(13) != 0;
  j.env = ParseJsonColumn(r.Text(14));
  j.wait_reason = r.Text(15);
  j.notes = r.Text(16);
  j.created = r.Int(17);
  j.assigned = r.Int(18);
  j.started = r.Int(19);
  j.finished = r.Int(20);
  j.completed = r.Int(21);
  return j;
}

Step StepOf(const Row& r) {
  Step s;
  s.id = r.Int(0);
  s.job_id = r.Int(1);
  s.index = r.Int(2);
  s.tool = r.Text(3);
  s.name = r.Text(4);
  s.fields = ParseJsonColumn(r.Text(5));
  s.when = r.Text(6);
  s.status = ParseStepStatus(r.Text(7)).value_or(StepStatus::kNotStarted);
  if (!r.IsNull(8)) s.retcode = r.Int(8);
  s.reason = r.Text(9);
  s.message = r.Text(10);
  s.started = r.Int(11);
  s.finished = r.Int(12);
  return s;
}

template <typename T, typename F>
std::vector<T> All(const QueryResult& r, F of) {
  std::vector<T> out;
  out.reserve(r.rows.size());
  for (const Row& row : r.rows) out.push_back(of(row));
  return out;
}

}  // namespace

Result<Flow> Store::CreateFlow(const Flow& f) {
  Flow out = f;
  KR_ASSIGN(out.id,
            Insert("INSERT INTO flows (branch_id, kind, state, seq, kind_seq, label, args, "
                   "data, created, finished) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                   "RETURNING id",
                   {f.branch_id, std::string(Name(f.kind)), std::string(Name(f.state)), f.seq,
                    f.kind_seq, f.label, f.args.dump(), f.data.dump(), f.created, f.finished}));
  return out;
}

Result<Flow> Store::GetFlow(Id id) {
  KR_ASSIGN(auto r, Q(Sel(kFlowCols, "FROM flows WHERE id = ?"), {id}));
  if (r.rows.empty()) return NotFound("flow " + std::to_string(id) + " not found");
  return FlowOf(r.rows[0]);
}

Result<std::vector<Flow>> Store::ListFlows(Id branch_id, std::optional<FlowKind> kind,
                                           int64_t limit, int64_t offset) {
  std::string sql = Sel(kFlowCols, "FROM flows WHERE branch_id = ?");
  std::vector<Value> params{branch_id};
  if (kind) {
    sql += " AND kind = ?";
    params.emplace_back(std::string(Name(*kind)));
  }
  sql += " ORDER BY id DESC LIMIT ? OFFSET ?";
  params.emplace_back(limit);
  params.emplace_back(offset);
  KR_ASSIGN(auto r, Q(sql, params));
  return All<Flow>(r, FlowOf);
}

Result<int64_t> Store::CountFlows(Id branch_id, std::optional<FlowKind> kind) {
  std::string sql = "SELECT COUNT(*) FROM flows WHERE branch_id = ?";
  std::vector<Value> params{branch_id};
  if (kind) {
    sql += " AND kind = ?";
    params.emplace_back(std::string(Name(*kind)));
  }
  KR_ASSIGN(auto r, Q(sql, params));
  return r.rows[0].Int(0);
}

Status Store::SaveFlow(const Flow& f) {
  KR_TRY(Q("UPDATE flows SET state = ?, label = ?, args = ?, data = ?, finished = ? WHERE id = ?",
           {std::string(Name(f.state)), f.label, f.args.dump(), f.data.dump(), f.finished, f.id}));
  return {};
}

Result<Run> Store::CreateRun(const Run& x) {
  Run out = x;
  KR_ASSIGN(out.id,
            Insert("INSERT INTO runs (flow_id, stage_id, stage_name, state, args, label, reason, "
                   "schema_json, note, jobs_total, jobs_error, created, started, finished) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   {x.flow_id, x.stage_id, x.stage_name, std::string(Name(x.state)), x.args.dump(),
                    x.label, x.reason.dump(), x.schema.dump(), x.note, x.jobs_total, x.jobs_error,
                    x.created, x.started, x.finished}));
  return out;
}

Result<Run> Store::GetRun(Id id) {
  KR_ASSIGN(auto r, Q(Sel(kRunCols, "FROM runs WHERE id = ?"), {id}));
  if (r.rows.empty()) return NotFound("run " + std::to_string(id) + " not found");
  return RunOf(r.rows[0]);
}

Result<std::vector<Run>> Store::ListRuns(Id flow_id) {
  KR_ASSIGN(auto r, Q(Sel(kRunCols, "FROM runs WHERE flow_id = ? ORDER BY id"), {flow_id}));
  return All<Run>(r, RunOf);
}

Result<std::vector<Id>> Store::RunIdsInState(RunState state) {
  KR_ASSIGN(auto r,
            Q("SELECT id FROM runs WHERE state = ? ORDER BY id", {std::string(Name(state))}));
  std::vector<Id> ids;
  ids.reserve(r.rows.size());
  for (const auto& row : r.rows) ids.push_back(row.Int(0));
  return ids;
}

Result<Json> Store::GetRunSchema(Id id) {
  KR_ASSIGN(auto r, Q("SELECT schema_json FROM runs WHERE id = ?", {id}));
  if (r.rows.empty()) return NotFound("run " + std::to_string(id) + " not found");
  return ParseJsonColumn(r.rows[0].Text(0));
}

Status Store::SaveRun(const Run& x) {
  KR_TRY(
      Q("UPDATE runs SET state = ?, args = ?, label = ?, reason = ?, note = ?, "
        "jobs_total = ?, jobs_error = ?, started = ?, finished = ? WHERE id = ?",
        {std::string(Name(x.state)), x.args.dump(), x.label, x.reason.dump(), x.note, x.jobs_total,
         x.jobs_error, x.started, x.finished, x.id}));
  return {};
}

Result<Job> Store::CreateJob(Job j, std::vector<Step>& steps) {
  KR_ASSIGN(j.id,
            Insert("INSERT INTO jobs (run_id, name, state, completion, group_id, group_name, "
                   "system, executor, timeout, agent_id, attempt, max_retries, covered, env, "
                   "wait_reason, notes, created, assigned, started, finished, completed) VALUES "
                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   {j.run_id,
                    j.name,
                    std::string(Name(j.state)),
                    std::string(Name(j.completion)),
                    j.group_id,
                    j.group_name,
                    j.system,
                    j.executor,
                    j.timeout,
                    OptId(j.agent_id),
                    j.attempt,
                    j.max_retries,
                    int64_t{j.covered},
                    j.env.dump(),
                    j.wait_reason,
                    j.notes,
                    j.created,
                    j.assigned,
                    j.started,
                    j.finished,
                    j.completed}));
  for (Step& s : steps) {
    s.job_id = j.id;
    KR_ASSIGN(s.id, Insert("INSERT INTO steps (job_id, idx, tool, name, fields, when_expr, status) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                           {j.id, s.index, s.tool, s.name, s.fields.dump(), s.when,
                            std::string(Name(s.status))}));
  }
  return j;
}

Result<Job> Store::GetJob(Id id) {
  KR_ASSIGN(auto r, Q(Sel(kJobCols, "FROM jobs WHERE id = ?"), {id}));
  if (r.rows.empty()) return NotFound("job " + std::to_string(id) + " not found");
  return JobOf(r.rows[0]);
}

Result<std::vector<Job>> Store::ListJobs(Id run_id, bool include_covered) {
  KR_ASSIGN(auto r, Q(Sel(kJobCols, include_covered
                                        ? "FROM jobs WHERE run_id = ? ORDER BY id"
                                        : "FROM jobs WHERE run_id = ? AND covered = 0 ORDER BY id"),
                      {run_id}));
  return All<Job>(r, JobOf);
}

Result<std::vector<Job>> Store::ListQueuedJobs(int64_t limit, std::pair<Id, Id> after) {
  KR_ASSIGN(auto r, Q(Sel(kJobCols,
                          "FROM jobs WHERE state = 'queued' AND agent_id IS NULL "
                          "AND (run_id > ? OR (run_id = ? AND id > ?)) "
                          "ORDER BY run_id, id LIMIT ?"),
                      {after.first, after.first, after.second, limit}));
  return All<Job>(r, JobOf);
}

Result<std::vector<Job>> Store::ListQueuedJobsInGroup(Id group_id) {
  KR_ASSIGN(auto r, Q(Sel(kJobCols,
                          "FROM jobs WHERE state = 'queued' AND agent_id IS NULL "
                          "AND group_id = ? ORDER BY run_id, id"),
                      {group_id}));
  return All<Job>(r, JobOf);
}

Result<bool> Store::RunHasUnfinishedJobs(Id run_id) {
  KR_ASSIGN(auto r, Q("SELECT 1 FROM jobs WHERE run_id = ? AND covered = 0 AND state IN "
                      "('queued', 'assigned', 'executing-finished') LIMIT 1",
                      {run_id}));
  return !r.rows.empty();
}

Result<Store::JobCounts> Store::CountRunJobs(Id run_id) {
  KR_ASSIGN(auto r, Q("SELECT COUNT(*), "
                      "COALESCE(SUM(CASE WHEN state <> 'completed' THEN 1 ELSE 0 END), 0), "
                      "COALESCE(SUM(CASE WHEN state = 'completed' AND completion <> 'ok' "
                      "THEN 1 ELSE 0 END), 0) FROM jobs WHERE run_id = ? AND covered = 0",
                      {run_id}));
  return JobCounts{r.rows[0].Int(0), r.rows[0].Int(1), r.rows[0].Int(2)};
}

Result<std::vector<Job>> Store::ListActiveJobs() {
  KR_ASSIGN(auto r, Q(Sel(kJobCols,
                          "FROM jobs WHERE state IN ('queued', 'assigned') AND "
                          "agent_id IS NOT NULL ORDER BY id")));
  return All<Job>(r, JobOf);
}

Status Store::SaveJob(const Job& j) {
  KR_TRY(
      Q("UPDATE jobs SET state = ?, completion = ?, agent_id = ?, attempt = ?, covered = ?, "
        "wait_reason = ?, notes = ?, assigned = ?, started = ?, finished = ?, completed = ? "
        "WHERE id = ?",
        {std::string(Name(j.state)), std::string(Name(j.completion)), OptId(j.agent_id), j.attempt,
         int64_t{j.covered}, j.wait_reason, j.notes, j.assigned, j.started, j.finished, j.completed,
         j.id}));
  return {};
}

Result<std::vector<Step>> Store::ListSteps(Id job_id) {
  KR_ASSIGN(auto r, Q(Sel(kStepCols, "FROM steps WHERE job_id = ? ORDER BY idx"), {job_id}));
  return All<Step>(r, StepOf);
}

Status Store::SaveStep(const Step& s) {
  KR_TRY(
      Q("UPDATE steps SET fields = ?, status = ?, retcode = ?, reason = ?, message = ?, "
        "started = ?, finished = ? WHERE id = ?",
        {s.fields.dump(), std::string(Name(s.status)), s.retcode ? Value(*s.retcode) : Null(),
         s.reason, s.message, s.started, s.finished, s.id}));
  return {};
}

Result<bool> Store::AppendLog(Id job_id, int64_t step_idx, int64_t seq, const std::string& data,
                              Millis now) {
  KR_ASSIGN(auto r, Q("INSERT INTO log_chunks (job_id, step_idx, seq, data, created) "
                      "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                      {job_id, step_idx, seq, data, now}));
  return r.affected > 0;
}

Result<std::vector<LogChunk>> Store::ReadLog(Id job_id, int64_t step_idx) {
  auto r = step_idx < 0
               ? Q("SELECT step_idx, seq, data FROM log_chunks WHERE job_id = ? "
                   "ORDER BY step_idx, seq",
                   {job_id})
               : Q("SELECT step_idx, seq, data FROM log_chunks WHERE job_id = ? AND step_idx = ? "
                   "ORDER BY seq",
                   {job_id, step_idx});
  if (!r) return tl::unexpected(r.error());
  std::vector<LogChunk> out;
  out.reserve(r->rows.size());
  for (const Row& row : r->rows) out.push_back(LogChunk{row.Int(0), row.Int(1), row.Text(2)});
  return out;
}

Status Store::DeleteLogs(Id job_id) {
  KR_TRY(Q("DELETE FROM log_chunks WHERE job_id = ?", {job_id}));
  return {};
}

}  // namespace kraken::store
