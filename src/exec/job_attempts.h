// Earlier attempts of jobs (migration 0006): when a job is taken back from its agent and
// re-queued — the agent was lost or restarted, or the machine under it was preempted —
// the attempt that ended is recorded here with its outcome, so the API can show that a
// job which finished `ok` on attempt 2 was preempted on attempt 1.
//
// Not thread-safe: used on the server's event loop, inside the engine's transactions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/entities.h"
#include "core/error.h"
#include "core/states.h"
#include "store/db.h"

namespace kraken::exec {

struct JobAttempt {
  Id job_id = 0;
  int64_t attempt = 1;
  std::optional<Id> agent_id;
  CompletionStatus outcome = CompletionStatus::kAgentLost;  // agent-lost or preempted
  std::string reason;  // for people: "machine aws-t2-micro-3 vanished"
  Millis assigned = 0, started = 0, ended = 0;
};

Json ToJson(const JobAttempt& a);

class JobAttemptStore {
 public:
  explicit JobAttemptStore(store::Db& db) : db_(db) {}

  Status Record(const JobAttempt& a);
  // A job's earlier attempts, oldest first.
  Result<std::vector<JobAttempt>> List(Id job_id);

 private:
  store::Db& db_;
};

}  // namespace kraken::exec
