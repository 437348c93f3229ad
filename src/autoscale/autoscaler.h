// The autoscaler: one reconcile loop over every agents group whose deployment is
// automatic. A pass is woken by events (a job or agent changed: the engine's Listener; a
// driver call finished), by the earliest deadline any machine has (boot timeout, idle
// time, backoff end), and by a periodic orphan sweep. Each pass follows the machines'
// agents, judges each machine, then plans per (group, system) how many machines to create
// (policy.h) and records each one, with its registration token, in the transaction that
// decides it, before any driver call: a restart mid-creation finds the record, and every
// live record counts against the limit, so the limit is never exceeded.
//
// cloud::Driver calls (create, destroy, list) run on a small worker pool, off the event loop and
// the scheduler's path; their results are posted back to the loop.
//
// Not thread-safe: every public call runs on the server's event loop (the workers only
// call drivers and post results).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "autoscale/backoff.h"
#include "autoscale/deployment.h"
#include "autoscale/drivers.h"
#include "autoscale/machine_store.h"
#include "autoscale/metrics.h"
#include "autoscale/policy.h"
#include "core/worker_pool.h"
#include "exec/engine.h"
#include "http/server.h"

namespace kraken::autoscale {

struct AutoscalerOptions {
  std::string server_url;          // where machines' agents connect
  std::string server_fingerprint;  // the server's self-signed certificate, pinned by agents
  std::string server_id;           // tags every machine
  Millis sweep_interval = 30'000;  // orphan sweep period
  Millis backoff_base = 1'000;     // first delay after a failed creation
  Millis backoff_cap = 60'000;     // longest delay: at worst one call a minute per group
  Millis destroy_retry = 5'000;    // after a failed destroy
  Millis tick = 10'000;            // a pass at least this often, whatever happens
  int workers = 4;
};

class Autoscaler : public exec::Listener {
 public:
  Autoscaler(exec::Engine& engine, store::Store& store, http::Loop& loop, const Clock& clock,
             Drivers& drivers, AutoscalerOptions options);
  ~Autoscaler() override;

  // Recovers machines a previous run left mid-creation or mid-destruction, starts the
  // timers and the first pass.
  Status Start();
  // Cancels timers and drops driver calls not yet started; call on the loop thread.
  void Stop();

  void Changed(const std::string& kind, Id id) override;
  // Coalesced: one pass runs soon on the loop, however many asked.
  void RequestPass();
  void Pass();
  void Sweep();

  // Why a queued job of an autoscaled group waits ("" when the autoscaler has no say).
  std::string WaitReason(const Job& job) const;
  // The system the machine was made for ("any", or "" when there is no such machine).
  std::string MachineSystem(Id machine_id);
  // Prometheus text: the autoscaler's counters and histograms, with the queue and machine
  // gauges read from the database now.
  std::string RenderMetrics();
  MachineStore& machines() { return machines_; }
  // Where machines' agents connect when no server URL is saved (known once the server
  // listens).
  void set_server_url(std::string url) { options_.server_url = std::move(url); }
  // The SHA-256 fingerprint machines' agents pin (empty: they verify the certificate).
  void set_server_fingerprint(std::string fingerprint) {
    options_.server_fingerprint = std::move(fingerprint);
  }
  // Where a new machine's agent connects: the saved `server_url` setting (Settings →
  // General: how machines elsewhere reach the server), else the listen address.
  std::string AgentServerUrl();
  Metrics& metrics() { return metrics_; }

 private:
  struct GroupState {
    std::string name;
    Json deployment;  // as last seen: a change resets the backoff
    Backoff backoff;
    std::string failing;  // a permanent failure's message, until a creation succeeds
    std::string last_error;
    int creating = 0;                            // create calls under way
    std::map<std::string, std::string> reasons;  // per system: why its jobs wait
    std::map<std::string, int> sightings;        // orphan driver ids seen by sweeps
    bool listing = false;
  };

  GroupState& State(const AgentsGroup& g);
  // One group's pass, in four steps over what GroupPass holds (autoscaler.cc).
  Status ReconcileGroup(const AgentsGroup& g, const std::map<Id, Agent>& agents,
                        Millis& next_check);
  struct GroupPass {
    const AgentsGroup& g;
    Deployment dep;
    std::string fingerprint;  // of `dep`: a machine made from another is stale
    GroupState& gs;
    std::vector<Machine> machines;  // the group's, kept up to date by the steps
    Millis now;
    Millis& next_check;  // the earliest time a machine needs looking at again
  };
  // The group's demand as planned, for the creation and the explanation.
  struct Demand {
    std::vector<Job> queued;
    std::vector<std::string> order;        // systems, the one with the oldest job first
    std::map<std::string, Millis> oldest;  // each system's oldest queued job
    Plan plan;
    bool ready = true;  // the backoff allows creating now
  };
  Status FollowAgents(GroupPass& p, const std::map<Id, Agent>& agents);
  Status JudgeMachines(GroupPass& p);
  Result<Demand> PlanDemand(GroupPass& p);
  Status CreateMachines(GroupPass& p, Demand& d);
  Status ExplainGroupWaits(GroupPass& p, const Demand& d);
  // Moves a machine to terminating (disabling its agent) and starts its destruction.
  Status Terminate(Machine& m, const std::string& why, bool error = false);
  Status Drain(Machine& m, const std::string& why);
  Status DisableAgent(std::optional<Id> agent_id, bool unauthorize);
  std::string SystemKey(const Job& job, const Deployment& d) const;
  cloud::DriverResult<std::shared_ptr<cloud::Driver>> DriverFor(const Machine& m, Id group_id);
  Result<Deployment> GroupDeployment(Id group_id);

  // cloud::Driver calls (autoscaler_calls.cc).
  void StartCreate(const Machine& m, cloud::MachineSpec spec,
                   std::shared_ptr<cloud::Driver> driver);
  void OnCreated(Id machine_id, Id group_id, cloud::DriverResult<std::string> result);
  void StartDestroy(const Machine& m);
  void OnDestroyed(Id machine_id, cloud::DriverResult<void> result);
  void OnListed(Id group_id, Millis started,
                cloud::DriverResult<std::vector<cloud::DriverMachine>> result);
  void ScheduleWake(Millis at);
  void ScheduleSweep();
  // Runs `fn` on the loop if this autoscaler still exists then.
  void PostBack(std::function<void()> fn);

  exec::Engine& engine_;
  store::Store& store_;
  http::Loop& loop_;
  const Clock& clock_;
  Drivers& drivers_;
  AutoscalerOptions options_;
  MachineStore machines_;
  Metrics metrics_;
  std::map<Id, GroupState> groups_;
  std::set<Id> destroying_;             // machines with a destroy call under way
  std::map<Id, Millis> destroy_retry_;  // machine → when to retry a failed destroy
  bool pass_pending_ = false;
  bool stopped_ = false;
  std::unique_ptr<http::Loop::Timer> wake_timer_, sweep_timer_;
  Millis wake_at_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unique_ptr<WorkerPool> pool_;  // last: joined first on destruction
};

}  // namespace kraken::autoscale
