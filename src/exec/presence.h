// Which agents are waiting for work right now: those with a long-poll parked on the server.
// The scheduler hands jobs only to waiting agents, so a job never goes to an agent that has
// silently died; the wake callback answers the agent's parked poll at once.
//
// In-memory only (a restarted server learns presence again from the next polls).
// Not thread-safe: owned by the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/entities.h"
#include "exec/assignment.h"

namespace kraken::exec {

// An idle agent (who it is, for the scheduler) and its parked poll.
struct WaitingAgent : IdleAgent {
  std::function<void()> wake;   // answers the parked poll
  std::function<bool()> alive;  // false once the poll's connection has closed
  uint64_t poll = 0;            // which poll parked it (set by Park)
};

class Presence {
 public:
  // Parks a poll, replacing an earlier one of the same agent; returns the poll's ticket.
  uint64_t Park(WaitingAgent agent) {
    agent.poll = ++last_poll_;
    Id id = agent.id;
    waiting_[id] = std::move(agent);
    return last_poll_;
  }
  // Removes the agent's parked poll, but only the one `poll` parked: a poll that ends (its
  // timer fired) must not unpark a newer poll of the same agent, which would then miss
  // its wake-up and wait out its whole long-poll period.
  void Unpark(Id agent_id, uint64_t poll) {
    auto it = waiting_.find(agent_id);
    if (it != waiting_.end() && it->second.poll == poll) waiting_.erase(it);
  }
  void Unpark(Id agent_id) { waiting_.erase(agent_id); }
  // Waiting, with its connection still open.
  bool IsWaiting(Id agent_id) const {
    auto it = waiting_.find(agent_id);
    return it != waiting_.end() && (!it->second.alive || it->second.alive());
  }
  // Removes the agent and calls its wake callback. False if it was not waiting.
  bool Wake(Id agent_id) {
    auto it = waiting_.find(agent_id);
    if (it == waiting_.end()) return false;
    auto wake = std::move(it->second.wake);
    waiting_.erase(it);
    if (wake) wake();
    return true;
  }
  const std::map<Id, WaitingAgent>& waiting() const { return waiting_; }

 private:
  std::map<Id, WaitingAgent> waiting_;
  uint64_t last_poll_ = 0;
};

}  // namespace kraken::exec
