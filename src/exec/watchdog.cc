// The watchdog: the safety net for agents that vanish and jobs that overrun.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "exec/engine.h"

namespace kraken::exec {

void Engine::WatchdogPass() {
  // Liveness and deadlines are measured in monotonic time: a wall-clock jump is no silence.
  const Millis now = clock_.Monotonic();
  if (last_watchdog_ && now - last_watchdog_ > options_.watchdog_late) {
    // The loop stalled (or the process was stopped): agents' requests wait unread in the
    // sockets, so their silence says nothing. Each gets a full timeout from now.
    spdlog::warn("watchdog ran {} ms late: every agent gets {} ms to be heard from",
                 now - last_watchdog_, options_.agent_timeout);
    grace_from_ = now;
  }
  last_watchdog_ = now;
  auto agents = store_.ListAgents(true);
  if (!agents) return;
  for (Agent& agent : *agents) {
    // A restarted server gives every agent a full timeout to come back.
    Millis heard = grace_from_;
    if (auto it = heard_.find(agent.id); it != heard_.end()) heard = std::max(heard, it->second);
    if (agent.lost || presence_.IsWaiting(agent.id) || now - heard < options_.agent_timeout)
      continue;
    store::Transaction tx(store_.db());
    agent.lost = true;
    spdlog::warn("agent {} ({}) lost: silent for {} ms", agent.id, agent.name, now - heard);
    if (agent.job_id) {
      auto job = store_.GetJob(*agent.job_id);
      if (job && job->state != JobState::kCompleted && job->agent_id == agent.id) {
        if (!RequeueJob(*job, fmt::format("agent {} lost", agent.name))) continue;
      }
      agent.job_id.reset();
    }
    if (!store_.SaveAgent(agent) || !tx.Commit()) continue;
    NotifyChanged("agent", agent.id);
  }
  // Jobs far past their timeout: the agent should have ended them itself.
  auto active = store_.ListActiveJobs();
  if (!active) return;
  std::unordered_map<Id, Millis> started;
  for (Job& job : *active) {
    if (job.state != JobState::kAssigned || !job.started) continue;
    // A job this process did not start (it ran before a restart) counts from its stored
    // start, as far as the wall clock tells.
    auto known = job_started_.find(job.id);
    Millis start = known != job_started_.end()
                       ? known->second
                       : now - std::max<Millis>(0, clock_.Now() - job.started);
    started[job.id] = start;
    if (now < start + job.timeout * 1000 + 30'000) continue;
    store::Transaction tx(store_.db());
    std::optional<Id> agent = job.agent_id;
    if (!CompleteJob(job, CompletionStatus::kServerTimeout) || !tx.Commit()) continue;
    if (agent) NotifyCancelled(job.id, *agent);
  }
  job_started_ = std::move(started);
  StageTimeoutPass();
}

Status Engine::RequeueAgentJob(Id agent_id, const std::string& why, CompletionStatus outcome) {
  store::Transaction tx(store_.db());
  KR_ASSIGN(auto agent, store_.GetAgent(agent_id, false));
  if (!agent.job_id) return {};
  KR_ASSIGN(auto job, store_.GetJob(*agent.job_id));
  const bool taken = job.state != JobState::kCompleted && job.agent_id == agent.id;
  if (taken) KR_TRY(RequeueJob(job, why, outcome));
  agent.job_id.reset();
  KR_TRY(store_.SaveAgent(agent));
  KR_TRY(tx.Commit());
  if (taken) NotifyCancelled(job.id, agent.id);
  NotifyChanged("agent", agent.id);
  return {};
}

}  // namespace kraken::exec
