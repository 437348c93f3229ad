#include "exec/assignment.h"

#include <fmt/format.h>

#include <algorithm>

namespace kraken::exec {

bool Matches(const Job& job, const IdleAgent& agent) {
  if (std::find(agent.group_ids.begin(), agent.group_ids.end(), job.group_id) ==
      agent.group_ids.end())
    return false;
  if (job.executor != "local" && !agent.machine) return agent.containers;
  return job.system == "any" || job.system == agent.system;
}

std::string NoAgentReason(const Job& job) {
  if (job.executor != "local")
    return fmt::format(
        "no container of {} in group '{}': executor {} jobs run on machines of a group "
        "deployed with method docker, or on an idle agent with Docker or Podman (none has one: "
        "its host info says \"docker\": false)",
        job.system == "any" ? "the group's image" : job.system, job.group_name, job.executor);
  return fmt::format("no idle agent in group '{}'{}", job.group_name,
                     job.system == "any" ? "" : " with system " + job.system);
}

std::optional<Id> Assigner::Offer(const Job& job, const std::function<bool(Id)>& can_take) {
  while (true) {
    auto it = std::find_if(idle_.begin(), idle_.end(),
                           [&](const IdleAgent& a) { return Matches(job, a); });
    if (it == idle_.end()) return std::nullopt;
    const Id id = it->id;
    idle_.erase(it);
    if (can_take(id)) return id;
  }
}

}  // namespace kraken::exec
