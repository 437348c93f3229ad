// The planner's rows (table planner_triggers, migration 0002): each time or repo trigger of a
// stage with its next fire time. A thin layer over store::Db; not thread-safe (event loop).
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/entities.h"
#include "store/db.h"

namespace kraken::planner {

struct TriggerRow {
  Id id = 0;
  Id stage_id = 0;
  std::string kind;      // interval, date, cron, repo
  std::string spec;      // its canonical text: seconds, ms, the cron line, the repos JSON
  Millis next_fire = 0;  // 0: never again (a date that fired)
  Millis pending = 0;    // a fire being handled
  Millis last_fire = 0;
  Json state = Json::object();
  Millis created = 0;
};

class TriggerStore {
 public:
  explicit TriggerStore(store::Db& db) : db_(db) {}

  Result<std::vector<TriggerRow>> List(std::optional<Id> stage_id = std::nullopt);
  Result<TriggerRow> Insert(const TriggerRow& row);
  Status Save(const TriggerRow& row);
  Status Delete(Id id);
  store::Db& db() { return db_; }

 private:
  store::Db& db_;
};

}  // namespace kraken::planner
