// The scheduler: hands queued jobs, oldest run first, to agents waiting for work. The rules
// of who takes what are in assignment.h; this reads the queue and the agents and stores the
// outcome.
#include <algorithm>
#include <optional>

#include "exec/assignment.h"
#include "exec/engine.h"

namespace kraken::exec {

void Engine::RequestSchedule() {
  if (schedule_pending_) return;
  schedule_pending_ = true;
  post_([this] {
    schedule_pending_ = false;
    SchedulePass();
  });
}

Status Engine::ExplainWaits(const std::vector<Job>& jobs) {
  if (!wait_reason_source_) return {};
  for (Job job : jobs) {
    if (job.agent_id) continue;
    std::string reason = wait_reason_source_(job);
    if (reason.empty() || reason == job.wait_reason) continue;
    job.wait_reason = std::move(reason);
    KR_TRY(store_.SaveJob(job));
  }
  return {};
}

int Engine::SchedulePass() {
  std::vector<Id> woken;
  {
    store::Transaction tx(store_.db());
    // Copy: waking changes the presence map, so collect first, wake after
    // commit.
    std::vector<IdleAgent> idle;
    std::vector<Id> gone;
    for (const auto& [id, w] : presence_.waiting()) {
      if (w.alive && !w.alive())
        gone.push_back(id);  // its poll's connection closed
      else
        idle.push_back(w);  // the scheduler's part of it
    }
    for (Id id : gone) presence_.Unpark(id);
    // With no agent waiting, one page of the queue still gets its wait reasons, so a job
    // never waits without saying why.
    const bool nobody_waiting = idle.empty();
    // The queue is read a page at a time, oldest first, only as far as idle
    // agents last. The first page is sized to the idle agents (most passes are one
    // agent back for its next job); later pages grow, for queues of unmatched jobs.
    int64_t page =
        nobody_waiting ? 64 : std::clamp<int64_t>(static_cast<int64_t>(idle.size()) * 2, 4, 64);
    Assigner assigner(std::move(idle));
    std::pair<Id, Id> cursor{0, 0};
    while (!assigner.empty() || nobody_waiting) {
      auto jobs = store_.ListQueuedJobs(page, cursor);
      if (!jobs || jobs->empty()) break;
      cursor = {jobs->back().run_id, jobs->back().id};
      for (Job& job : *jobs) {
        if (assigner.empty() && !nobody_waiting) break;
        // A stale agent (given a job, de-authorized or disabled since it parked) is
        // dropped and the next one tried.
        std::optional<Agent> agent;
        assigner.Offer(job, [&](Id id) {
          auto fresh = store_.GetAgent(id, false);
          if (!fresh || fresh->job_id || !fresh->authorized || fresh->disabled) return false;
          agent = std::move(*fresh);
          return true;
        });
        if (!agent) {
          std::string reason = NoAgentReason(job);
          if (wait_reason_source_)
            if (std::string r = wait_reason_source_(job); !r.empty()) reason = r;
          if (job.wait_reason != reason) {
            job.wait_reason = reason;
            (void)store_.SaveJob(job);
          }
          continue;
        }
        job.agent_id = agent->id;
        job.assigned = clock_.Now();
        job.wait_reason.clear();
        agent->job_id = job.id;
        if (!store_.SaveJob(job) || !store_.SaveAgent(*agent)) return 0;
        woken.push_back(agent->id);
      }
      if (nobody_waiting || static_cast<int64_t>(jobs->size()) < page) break;
      page = std::min<int64_t>(page * 4, 256);
    }
    if (!tx.Commit()) return 0;
  }
  for (Id id : woken) presence_.Wake(id);
  return static_cast<int>(woken.size());
}

}  // namespace kraken::exec
