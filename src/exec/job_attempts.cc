#include "exec/job_attempts.h"

namespace kraken::exec {

using store::Row;
using store::Value;

namespace {

Json TimeOrNull(Millis t) { return t ? Json(t) : Json(nullptr); }

}  // namespace

Json ToJson(const JobAttempt& a) {
  return {{"attempt", a.attempt},
          {"agent_id", a.agent_id ? Json(*a.agent_id) : Json(nullptr)},
          {"outcome", Name(a.outcome)},
          {"reason", a.reason},
          {"assigned", TimeOrNull(a.assigned)},
          {"started", TimeOrNull(a.started)},
          {"ended", a.ended}};
}

Status JobAttemptStore::Record(const JobAttempt& a) {
  KR_TRY(db_.Exec(
      "INSERT INTO job_attempts (job_id, attempt, agent_id, outcome, reason, assigned, started, "
      "ended) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {a.job_id, a.attempt, a.agent_id ? Value(*a.agent_id) : store::Null(),
       std::string(Name(a.outcome)), a.reason, a.assigned, a.started, a.ended}));
  return {};
}

Result<std::vector<JobAttempt>> JobAttemptStore::List(Id job_id) {
  KR_ASSIGN(auto r, db_.Exec("SELECT attempt, agent_id, outcome, reason, assigned, started, ended "
                             "FROM job_attempts WHERE job_id = ? ORDER BY attempt, id",
                             {job_id}));
  std::vector<JobAttempt> out;
  for (const Row& row : r.rows) {
    JobAttempt a;
    a.job_id = job_id;
    a.attempt = row.Int(0);
    if (!row.IsNull(1)) a.agent_id = row.Int(1);
    a.outcome = ParseCompletionStatus(row.Text(2)).value_or(CompletionStatus::kAgentLost);
    a.reason = row.Text(3);
    a.assigned = row.Int(4);
    a.started = row.Int(5);
    a.ended = row.Int(6);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace kraken::exec
