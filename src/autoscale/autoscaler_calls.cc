// The autoscaler's driver calls: each runs on the worker pool and posts its result back to
// the loop, where the machine's record is updated. Also the orphan sweep and /metrics.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "autoscale/autoscaler.h"

namespace kraken::autoscale {

namespace {

const char* ClassName(cloud::FailureClass c) {
  switch (c) {
    case cloud::FailureClass::kTransient:
      return "transient";
    case cloud::FailureClass::kThrottled:
      return "throttled";
    case cloud::FailureClass::kCapacity:
      return "capacity";
    case cloud::FailureClass::kPermanent:
      return "permanent";
  }
  return "transient";
}

}  // namespace

cloud::DriverResult<std::shared_ptr<cloud::Driver>> Autoscaler::DriverFor(const Machine& m,
                                                                          Id group_id) {
  auto dep = GroupDeployment(group_id);
  if (dep && dep->method == m.method) return drivers_.For(*dep);
  // The group moved to another method: reach the machine with its own method's defaults.
  Deployment d;
  d.method = m.method;
  return drivers_.For(d);
}

void Autoscaler::StartCreate(const Machine& record, cloud::MachineSpec spec,
                             std::shared_ptr<cloud::Driver> driver) {
  Machine m = record;
  m.MoveTo(MachineState::kProvisioning, clock_.Now());
  if (auto st = machines_.Save(m); !st) {
    spdlog::warn("autoscaler: cannot save machine {}: {}", m.name(), st.error().message);
    return;
  }
  GroupState& gs = groups_[m.group_id];
  ++gs.creating;
  metrics_.Inc("kraken_machine_create_calls_total", {{"group", spec.group_name}});
  Id id = m.id, group = m.group_id;
  pool_->Submit([this, id, group, spec = std::move(spec), driver] {
    auto result = driver->Create(spec);
    PostBack([this, id, group, result = std::move(result)]() mutable {
      OnCreated(id, group, std::move(result));
    });
  });
}

void Autoscaler::OnCreated(Id machine_id, Id group_id, cloud::DriverResult<std::string> result) {
  Millis now = clock_.Now();
  GroupState& gs = groups_[group_id];
  if (gs.creating > 0) --gs.creating;
  auto m = machines_.Get(machine_id);
  if (!m) return;
  if (!result) {
    const cloud::DriverError& e = result.error();
    metrics_.Inc("kraken_machine_create_errors_total",
                 {{"group", gs.name}, {"class", ClassName(e.failure)}});
    Millis delay = gs.backoff.Failed(now);
    gs.last_error = e.message;
    if (e.failure == cloud::FailureClass::kPermanent) gs.failing = e.message;
    spdlog::warn("autoscaler: creating machine {} failed ({}): {}; next try in {} ms", m->name(),
                 ClassName(e.failure), e.message, delay);
    m->last_error = e.message;
    // A failed call may still have left something behind: the sweep will find its tag.
    m->MoveTo(MachineState::kFailed, now, e.message);
    (void)machines_.Save(*m);
    RequestPass();
    return;
  }
  gs.backoff.Succeeded();
  gs.failing.clear();
  m->driver_id = *result;
  metrics_.Observe("kraken_machine_phase_seconds",
                   {{"group", gs.name}, {"phase", "decision_to_create_accepted"}},
                   (now - m->EnteredAt(MachineState::kRequested)) / 1000.0);
  if (m->state == MachineState::kProvisioning) {
    m->MoveTo(MachineState::kBooting, now, "created as " + *result);
    (void)machines_.Save(*m);
  } else {
    (void)machines_.Save(*m);
    if (m->state == MachineState::kTerminating) StartDestroy(*m);
  }
  RequestPass();
}

void Autoscaler::StartDestroy(const Machine& m) {
  if (destroying_.count(m.id) || stopped_) return;
  if (m.driver_id.empty() && m.state != MachineState::kTerminating) return;
  auto driver = DriverFor(m, m.group_id);
  if (!driver) {
    spdlog::warn("autoscaler: cannot destroy {}: {}", m.name(), driver.error().message);
    destroy_retry_[m.id] = clock_.Now() + options_.destroy_retry;
    return;
  }
  destroying_.insert(m.id);
  Id id = m.id, group = m.group_id;
  std::string driver_id = m.driver_id, server = options_.server_id;
  pool_->Submit([this, id, group, driver_id, server, d = *driver] {
    cloud::DriverResult<void> result;
    if (!driver_id.empty()) {
      result = d->Destroy(driver_id);
    } else {
      // Never confirmed by the driver (a restart mid-creation): destroy it by its tag.
      auto list = d->List(server, group);
      if (!list)
        result = tl::unexpected(list.error());
      else
        for (const auto& dm : *list) {
          auto tag = dm.tags.find(cloud::kTagMachine);
          if (tag != dm.tags.end() && tag->second == std::to_string(id))
            if (auto r = d->Destroy(dm.driver_id); !r) result = r;
        }
    }
    PostBack(
        [this, id, result = std::move(result)]() mutable { OnDestroyed(id, std::move(result)); });
  });
}

void Autoscaler::OnDestroyed(Id machine_id, cloud::DriverResult<void> result) {
  destroying_.erase(machine_id);
  Millis now = clock_.Now();
  auto m = machines_.Get(machine_id);
  if (!m || !IsAlive(m->state)) return;
  if (!result) {
    m->last_error = "destroy failed: " + result.error().message;
    (void)machines_.Save(*m);
    destroy_retry_[machine_id] = now + options_.destroy_retry;
    ScheduleWake(now + options_.destroy_retry);
    return;
  }
  destroy_retry_.erase(machine_id);
  store::Transaction tx(store_.db());
  m->MoveTo(MachineState::kGone, now);
  (void)DisableAgent(m->agent_id, /*unauthorize=*/true);
  (void)machines_.Save(*m);
  (void)tx.Commit();
  auto g = groups_.find(m->group_id);
  metrics_.Inc("kraken_machines_destroyed_total",
               {{"group", g == groups_.end() ? std::to_string(m->group_id) : g->second.name}});
  RequestPass();
}

void Autoscaler::Sweep() {
  auto groups = store_.ListGroups();
  if (!groups) return;
  for (const AgentsGroup& g : *groups) {
    auto dep = ParseDeployment(g.deployment, true);
    if (!dep || !dep->autoscaled()) continue;
    GroupState& gs = State(g);
    if (gs.listing) continue;
    auto driver = drivers_.For(*dep);
    if (!driver) continue;
    gs.listing = true;
    Id group = g.id;
    std::string server = options_.server_id;
    Millis started = clock_.Now();
    pool_->Submit([this, group, server, started, d = *driver] {
      auto result = d->List(server, group);
      PostBack([this, group, started, result = std::move(result)]() mutable {
        OnListed(group, started, std::move(result));
      });
    });
  }
}

void Autoscaler::OnListed(Id group_id, Millis started,
                          cloud::DriverResult<std::vector<cloud::DriverMachine>> result) {
  GroupState& gs = groups_[group_id];
  gs.listing = false;
  if (!result) {
    spdlog::warn("autoscaler: listing group {}'s machines failed: {}", gs.name,
                 result.error().message);
    return;
  }
  auto live = machines_.List(group_id);
  if (!live) return;
  std::map<std::string, Machine*> by_id;
  for (Machine& m : *live) by_id[std::to_string(m.id)] = &m;
  std::set<Id> present;
  std::map<std::string, int> sightings;
  for (const cloud::DriverMachine& dm : *result) {
    auto tag = dm.tags.find(cloud::kTagMachine);
    auto rec = tag == dm.tags.end() ? by_id.end() : by_id.find(tag->second);
    if (rec != by_id.end()) {
      present.insert(rec->second->id);
      continue;
    }
    // No live record: an orphan, destroyed at its second sighting (it may be a machine
    // whose record is being written as we look).
    int seen = gs.sightings.count(dm.driver_id) ? gs.sightings[dm.driver_id] + 1 : 1;
    sightings[dm.driver_id] = seen;
    if (seen < 2) continue;
    spdlog::warn("autoscaler: destroying orphan machine {} of group {}", dm.driver_id, gs.name);
    metrics_.Inc("kraken_orphans_destroyed_total", {{"group", gs.name}});
    auto dep = GroupDeployment(group_id);
    if (!dep) continue;
    auto driver = drivers_.For(*dep);
    if (!driver) continue;
    pool_->Submit([id = dm.driver_id, d = *driver] {
      if (auto r = d->Destroy(id); !r)
        spdlog::warn("autoscaler: destroying orphan {} failed: {}", id, r.error().message);
    });
  }
  gs.sightings = std::move(sightings);
  // Records whose machine vanished at the provider are closed, their jobs re-queued.
  Millis now = clock_.Now();
  for (Machine& m : *live) {
    if (present.count(m.id) || destroying_.count(m.id)) continue;
    bool listed_after_creation = !m.driver_id.empty() && m.EnteredAt(MachineState::kBooting) > 0 &&
                                 m.EnteredAt(MachineState::kBooting) < started;
    if (!listed_after_creation) continue;
    if (m.state == MachineState::kTerminating || m.state == MachineState::kBooting ||
        m.state == MachineState::kIdle || m.state == MachineState::kBusy ||
        m.state == MachineState::kDraining) {
      if (m.agent_id && m.state != MachineState::kTerminating)
        (void)engine_.RequeueAgentJob(*m.agent_id, "machine " + m.name() + " vanished",
                                      CompletionStatus::kPreempted);
      store::Transaction tx(store_.db());
      if (m.state != MachineState::kTerminating) m.last_error = "the machine vanished";
      m.MoveTo(MachineState::kGone, now, "not found at the provider");
      (void)DisableAgent(m.agent_id, true);
      (void)machines_.Save(m);
      (void)tx.Commit();
      spdlog::info("autoscaler: machine {} closed: not found at the provider", m.name());
    }
  }
  RequestPass();
}

std::string Autoscaler::RenderMetrics() {
  metrics_.ClearGauge("kraken_jobs_queued");
  metrics_.ClearGauge("kraken_machines");
  metrics_.ClearGauge("kraken_group_failing");
  std::map<Id, std::string> names;
  if (auto groups = store_.ListGroups()) {
    for (const AgentsGroup& g : *groups) {
      names[g.id] = g.name;
      metrics_.Set("kraken_jobs_queued", {{"group", g.name}}, 0);
      auto dep = ParseDeployment(g.deployment, true);
      if (dep && dep->autoscaled()) {
        for (const char* s :
             {"requested", "provisioning", "booting", "idle", "busy", "draining", "terminating"})
          metrics_.Set("kraken_machines", {{"group", g.name}, {"state", s}}, 0);
        auto gs = groups_.find(g.id);
        metrics_.Set("kraken_group_failing", {{"group", g.name}},
                     gs != groups_.end() && !gs->second.failing.empty() ? 1 : 0);
      }
    }
  }
  if (auto queued = store_.ListQueuedJobs(100000))
    for (const Job& j : *queued) metrics_.Inc("kraken_jobs_queued", {{"group", j.group_name}});
  if (auto live = machines_.List(0))
    for (const Machine& m : *live)
      metrics_.Inc("kraken_machines",
                   {{"group", names[m.group_id]}, {"state", std::string(Name(m.state))}});
  return metrics_.Render();
}

}  // namespace kraken::autoscale
