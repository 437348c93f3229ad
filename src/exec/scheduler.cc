// The scheduler: hands queued jobs, oldest run first, to agents waiting for
// work.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

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

namespace {

bool Matches(const Job& job, const WaitingAgent& agent) {
  if (std::find(agent.group_ids.begin(), agent.group_ids.end(), job.group_id) ==
      agent.group_ids.end())
    return false;
  // A job of executor docker runs in a container of its image: on a machine the autoscaler
  // made as that container (a group deployed with method docker). An agent installed by
  // hand runs steps on its own host, which is not what the job asked for, so it never
  // takes one.
  if (job.executor != "local" && !agent.machine) return false;
  // An autoscaled machine was made for one system (a container of the job's image, an
  // AMI), and takes only that system's jobs.
  return job.system == "any" || job.system == agent.system;
}

std::string NoAgentReason(const Job& job) {
  if (job.executor != "local")
    return fmt::format(
        "no container of {} in group '{}': executor {} jobs run only on machines of a group "
        "deployed with method docker (agents installed by hand do not run containers)",
        job.system == "any" ? "the group's image" : job.system, job.group_name, job.executor);
  return fmt::format("no idle agent in group '{}'{}", job.group_name,
                     job.system == "any" ? "" : " with system " + job.system);
}

}  // namespace

int Engine::SchedulePass() {
  std::vector<Id> woken;
  {
    store::Transaction tx(store_.db());
    // Copy: waking changes the presence map, so collect first, wake after
    // commit.
    std::vector<WaitingAgent> idle;
    std::vector<Id> gone;
    for (const auto& [id, w] : presence_.waiting()) {
      if (w.alive && !w.alive())
        gone.push_back(id);  // its poll's connection closed
      else
        idle.push_back(w);
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
    std::pair<Id, Id> cursor{0, 0};
    while (!idle.empty() || nobody_waiting) {
      auto jobs = store_.ListQueuedJobs(page, cursor);
      if (!jobs || jobs->empty()) break;
      cursor = {jobs->back().run_id, jobs->back().id};
      for (Job& job : *jobs) {
        if (idle.empty() && !nobody_waiting) break;
        // The first matching agent that can still take a job; a stale one (given a job,
        // de-authorized or disabled since it parked) is dropped and the next one tried.
        std::optional<Agent> agent;
        while (!agent) {
          auto it = std::find_if(idle.begin(), idle.end(),
                                 [&](const WaitingAgent& a) { return Matches(job, a); });
          if (it == idle.end()) break;
          auto fresh = store_.GetAgent(it->id, false);
          idle.erase(it);
          if (fresh && !fresh->job_id && fresh->authorized && !fresh->disabled)
            agent = std::move(*fresh);
        }
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
