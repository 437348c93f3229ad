// The planner: starts stages on their time and repository triggers (interval, date, cron,
// repo). Each trigger's next fire time lives in the database (TriggerStore), so a restart
// picks up where it stopped; a fire is marked pending before its flow starts and the flow
// carries the fire's key (arg KK_PLANNER_FIRE), so a crash in between neither loses nor
// repeats it. One loop timer is armed for the earliest fire: no polling loop.
//
// Owned by the server; every call runs on the event loop (not thread-safe). Repo polls run
// `git ls-remote` on a worker thread and hand their answer back through `post`.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "exec/engine.h"
#include "planner/trigger_store.h"
#include "store/store.h"
#include "workflow/stage_def.h"

namespace kraken::planner {

// One-shot timers on the event loop; FakeTimers in tests.
class Timers {
 public:
  class Handle {
   public:
    virtual ~Handle() = default;
  };
  virtual ~Timers() = default;
  virtual std::unique_ptr<Handle> After(Millis delay, std::function<void()> fn) = 0;
};

// Reads the head commit of each repo's branch. `done` gets, per repo, "url#branch" -> sha.
class RepoLister {
 public:
  virtual ~RepoLister() = default;
  virtual void Heads(const std::vector<workflow::RepoDef>& repos,
                     std::function<void(Result<Json>)> done) = 0;
};

// `git ls-remote URL refs/heads/BRANCH` on a worker thread; the answer comes back via `post`.
class GitRepoLister : public RepoLister {
 public:
  explicit GitRepoLister(exec::Engine::Post post) : post_(std::move(post)) {}
  void Heads(const std::vector<workflow::RepoDef>& repos,
             std::function<void(Result<Json>)> done) override;
  // The same, synchronously (used by the worker thread and tests).
  static Result<Json> ListHeads(const std::vector<workflow::RepoDef>& repos);

 private:
  exec::Engine::Post post_;
};

class Planner {
 public:
  Planner(store::Store& store, exec::Engine& engine, const Clock& clock, Timers& timers,
          RepoLister& repos);
  ~Planner();

  // Brings the trigger rows in line with every stage, finishes fires left pending by a
  // crash, and arms the timer.
  Status Start();
  // After a stage is saved or deleted: its triggers are added, kept (with their next fire
  // time) or removed, and the timer re-armed.
  Status SyncStage(Id stage_id);
  // The stage's triggers and their next fire times (UTC ms and ISO text).
  Result<Json> Schedule(Id stage_id);
  // Fires every trigger that is due now and re-arms (the timer's callback; public for tests).
  void FireDue();

 private:
  Status SyncStageRows(const Stage& stage, std::vector<TriggerRow>& existing);
  Result<Millis> NextFire(const TriggerRow& row, Millis after) const;
  Status Fire(TriggerRow row);
  void RepoAnswer(Id row_id, Millis scheduled, Result<Json> heads);
  Status StartStage(const TriggerRow& row, const std::string& fire_key, const Json& reason);
  Result<bool> FireRecorded(const Stage& stage, const std::string& fire_key);
  void Arm();

  store::Store& store_;
  exec::Engine& engine_;
  const Clock& clock_;
  Timers& timers_;
  RepoLister& repos_;
  TriggerStore rows_;
  std::unique_ptr<Timers::Handle> timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace kraken::planner
