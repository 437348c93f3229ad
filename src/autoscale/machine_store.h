// The machines table (migration 0003): typed reads and writes over the server's Db.
// Callers group writes that must land together (a decision and its records) in a
// store::Transaction.
//
// Not thread-safe: used on the server's event loop, like the Db it wraps.
#pragma once

#include <functional>
#include <vector>

#include "autoscale/machine.h"
#include "core/error.h"
#include "store/db.h"

namespace kraken::autoscale {

class MachineStore {
 public:
  explicit MachineStore(store::Db& db) : db_(db) {}

  Result<Machine> Create(Machine m);  // fills in m.id
  Status Save(const Machine& m);
  Result<Machine> Get(Id id);
  // Machines of a group (all groups when group_id is 0); only live ones unless `all`,
  // newest first when `all`.
  Result<std::vector<Machine>> List(Id group_id, bool all = false, int64_t limit = 1000);
  // Jobs ever handed to the agent (queued for it, running, or completed).
  Result<int64_t> CountAgentJobs(Id agent_id);
  // Called after each Create and Save that succeeded, so live views can refresh.
  void set_on_change(std::function<void(const Machine&)> fn) { on_change_ = std::move(fn); }

 private:
  store::Db& db_;
  std::function<void(const Machine&)> on_change_;
};

}  // namespace kraken::autoscale
