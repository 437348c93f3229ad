// The watchdog: the safety net for agents that vanish and jobs that overrun.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "exec/engine.h"

namespace kraken::exec {

void Engine::WatchdogPass() {
  Millis now = clock_.Now();
  // A restarted server gives every agent a full timeout to come back.
  Millis silent_before = now - options_.agent_timeout;
  auto agents = store_.ListAgents(true);
  if (!agents) return;
  for (Agent& agent : *agents) {
    if (agent.lost || presence_.IsWaiting(agent.id) ||
        std::max(agent.last_seen, started_at_) >= silent_before)
      continue;
    store::Transaction tx(store_.db());
    agent.lost = true;
    spdlog::warn("agent {} ({}) lost: silent for {} ms", agent.id, agent.name,
                 now - agent.last_seen);
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
  for (Job& job : *active) {
    if (job.state != JobState::kAssigned || !job.started) continue;
    Millis deadline = job.started + job.timeout * 1000 + 30'000;
    if (now < deadline) continue;
    store::Transaction tx(store_.db());
    std::optional<Id> agent = job.agent_id;
    if (!CompleteJob(job, CompletionStatus::kServerTimeout) || !tx.Commit()) continue;
    if (agent) NotifyCancelled(job.id, *agent);
  }
  StageTimeoutPass();
}

Status Engine::RequeueAgentJob(Id agent_id, const std::string& why, CompletionStatus outcome) {
  store::Transaction tx(store_.db());
  KR_ASSIGN(auto agent, store_.GetAgent(agent_id, false));
  if (!agent.job_id) return {};
  KR_ASSIGN(auto job, store_.GetJob(*agent.job_id));
  if (job.state != JobState::kCompleted && job.agent_id == agent.id) KR_TRY(RequeueJob(job, why, outcome));
  agent.job_id.reset();
  KR_TRY(store_.SaveAgent(agent));
  KR_TRY(tx.Commit());
  NotifyChanged("agent", agent.id);
  return {};
}

}  // namespace kraken::exec
