// Which waiting agent takes which queued job: the scheduler's rules on plain values, apart
// from the database and the loop (Engine::SchedulePass in scheduler.cc reads the queue and
// the agents, and stores what this decides), so that they are unit-tested as they are.
//
// The queue is offered oldest run first (the order of Store::ListQueuedJobs), and each job
// goes to the first idle agent, in the order they are given, that matches it:
//   - the agent is in the job's group;
//   - a job of an executor other than `local` (docker) runs in a container of its image:
//     on a machine the autoscaler made for it, or on an agent installed by hand that has a
//     container engine (host_info "docker"), which runs it in a container of the job's
//     system, whatever its own system;
//   - otherwise a job of system "any" runs on any system; another system only on an agent
//     of that system (an autoscaled machine has the system it was made for).
// An agent takes one job per pass. Thread-compatible.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/entities.h"

namespace kraken::exec {

// An agent parked in a poll, as the scheduler sees it.
struct IdleAgent {
  Id id = 0;
  std::vector<Id> group_ids;
  std::string system;
  bool machine = false;     // runs on an autoscaled machine, made for `system`
  bool containers = false;  // not a machine, and has a container engine (host_info "docker")
};

bool Matches(const Job& job, const IdleAgent& agent);

// Why a job that no idle agent matches waits, as the scheduler alone can tell (the
// autoscaler may know better: Engine::set_wait_reason_source).
std::string NoAgentReason(const Job& job);

class Assigner {
 public:
  explicit Assigner(std::vector<IdleAgent> idle) : idle_(std::move(idle)) {}

  // No idle agent is left.
  bool empty() const { return idle_.empty(); }

  // The agent that takes `job`: the first idle one that matches it and that `can_take`
  // accepts (its stored record still lets it: authorized, enabled, without a job). Each
  // agent tried leaves the idle agents, taken or refused. nullopt: none takes the job.
  std::optional<Id> Offer(const Job& job, const std::function<bool(Id agent_id)>& can_take);

 private:
  std::vector<IdleAgent> idle_;
};

}  // namespace kraken::exec
