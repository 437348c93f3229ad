// The autoscaler's arithmetic, as pure functions of a snapshot, so it can be tested with
// plain values and a fake clock:
//   - Plan: how many machines to create per system, and which idle machines to reclaim,
//     for one group (the reconcile rule of docs/autoscaling.md);
//   - Judge: what to do with one machine now (boot timeout, job count, idle time,
//     a changed deployment).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "autoscale/deployment.h"
#include "autoscale/machine.h"

namespace kraken::autoscale {

struct PlanInput {
  int64_t limit = 0;
  int64_t min_idle = 0;
  std::string default_system = "any";     // where the warm pool lives
  std::map<std::string, int64_t> queued;  // queued unassigned jobs per system
  std::vector<std::string> order;         // systems, the one with the oldest job first
  std::vector<const Machine*> machines;   // the group's live machines
  int64_t max_creates = -1;               // at most this many now (backoff); -1: no cap
};

struct Plan {
  std::vector<std::string> create;  // one system per machine to create
  std::vector<Id> reclaim;          // idle machines to destroy (room, or a shrunk limit)
  std::vector<Id> drain;            // busy machines to drain (the limit shrank)
  std::map<std::string, int64_t> waiting_for_limit;  // jobs per system the limit holds back
};

// wanted(system) = queued − idle − coming (+ min_idle for the default system), created
// oldest-demand-first, round robin, while every live machine plus the new ones stays
// within the limit. A limit below the live count reclaims idle machines, then drains busy
// ones. When the limit leaves a system short while another has idle machines with nothing
// to do, those are reclaimed to make room.
Plan MakePlan(const PlanInput& in);

enum class Verdict { kKeep, kTerminate, kDrain };

struct Judgement {
  Verdict verdict = Verdict::kKeep;
  std::string why;
  Millis next_check = 0;  // when the verdict may change by time alone; 0: never
};

// What the time and counts say about one machine. `stale`: its deployment changed.
Judgement Judge(const Machine& m, const Deployment& d, bool stale, Millis now);

}  // namespace kraken::autoscale
