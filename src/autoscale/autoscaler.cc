#include "autoscale/autoscaler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "auth/crypto.h"
#include "autoscale/policy.h"

namespace kraken::autoscale {

using store::Transaction;

Autoscaler::Autoscaler(exec::Engine& engine, store::Store& store, http::Loop& loop,
                       const Clock& clock, Drivers& drivers, AutoscalerOptions options)
    : engine_(engine),
      store_(store),
      loop_(loop),
      clock_(clock),
      drivers_(drivers),
      options_(std::move(options)),
      machines_(store.db()),
      pool_(std::make_unique<WorkerPool>(options_.workers)) {
  // Pushed to the UI's live group page; the autoscaler itself ignores "machine".
  machines_.set_on_change(
      [this](const Machine& m) { engine_.NotifyExternalChange("machine", m.id); });
  // The scheduler asks why a job of an autoscaled group waits, and what system a machine's
  // agent runs, here.
  engine_.set_wait_reason_source([this](const Job& job) { return WaitReason(job); });
  engine_.set_machine_system_source([this](Id machine_id) { return MachineSystem(machine_id); });
  metrics_.Describe("kraken_jobs_queued", "gauge", "Jobs waiting for an agent, per group");
  metrics_.Describe("kraken_machines", "gauge", "Machines of autoscaled groups, per state");
  metrics_.Describe("kraken_group_failing", "gauge", "1 when the group's driver fails permanently");
  metrics_.Describe("kraken_machine_create_calls_total", "counter", "cloud::Driver create calls");
  metrics_.Describe("kraken_machine_create_errors_total", "counter",
                    "Failed driver create calls, per failure class");
  metrics_.Describe("kraken_machines_destroyed_total", "counter", "Machines destroyed");
  metrics_.Describe("kraken_orphans_destroyed_total", "counter",
                    "Provider machines with no record, destroyed by the sweep");
  metrics_.Describe("kraken_machine_phase_seconds", "histogram",
                    "Start-up phases: queued→decision, decision→create accepted, "
                    "create accepted→agent registered, registered→job started");
}

Autoscaler::~Autoscaler() {
  engine_.set_wait_reason_source(nullptr);
  engine_.set_machine_system_source(nullptr);
  *alive_ = false;
  pool_.reset();
}

void Autoscaler::PostBack(std::function<void()> fn) {
  std::weak_ptr<bool> alive = alive_;
  loop_.Post([alive, fn = std::move(fn)] {
    if (auto a = alive.lock(); a && *a) fn();
  });
}

Status Autoscaler::Start() {
  Millis now = clock_.Now();
  KR_ASSIGN(auto live, machines_.List(0));
  for (Machine& m : live) {
    if (m.state == MachineState::kRequested || m.state == MachineState::kProvisioning) {
      // The driver may or may not have made it: destroy whatever carries its tag.
      m.MoveTo(MachineState::kTerminating, now, "the server restarted while creating it");
      KR_TRY(machines_.Save(m));
    }
    if (m.state == MachineState::kTerminating) StartDestroy(m);
  }
  ScheduleSweep();
  RequestPass();
  return {};
}

void Autoscaler::Stop() {
  stopped_ = true;
  wake_timer_.reset();
  sweep_timer_.reset();
  *alive_ = false;
  pool_.reset();
}

void Autoscaler::Changed(const std::string& kind, Id) {
  if (kind == "job" || kind == "run" || kind == "agent" || kind == "group") RequestPass();
}

void Autoscaler::RequestPass() {
  if (pass_pending_ || stopped_) return;
  pass_pending_ = true;
  PostBack([this] {
    pass_pending_ = false;
    Pass();
  });
}

void Autoscaler::ScheduleWake(Millis at) {
  Millis now = clock_.Now();
  at = std::min(at, now + options_.tick);
  if (wake_timer_ && wake_at_ <= at && wake_at_ > now) return;
  wake_at_ = at;
  wake_timer_ = loop_.After(std::chrono::milliseconds(std::max<Millis>(at - now, 1)),
                            [this] { RequestPass(); });
}

void Autoscaler::ScheduleSweep() {
  if (stopped_) return;
  sweep_timer_ = loop_.After(std::chrono::milliseconds(options_.sweep_interval), [this] {
    Sweep();
    ScheduleSweep();
  });
}

Autoscaler::GroupState& Autoscaler::State(const AgentsGroup& g) {
  auto [it, added] = groups_.try_emplace(
      g.id, GroupState{g.name, g.deployment, Backoff(options_.backoff_base, options_.backoff_cap)});
  GroupState& gs = it->second;
  gs.name = g.name;
  if (!added && gs.deployment != g.deployment) {
    // Someone changed the deployment (perhaps to fix it): try again at once.
    gs.deployment = g.deployment;
    gs.backoff.Succeeded();
    gs.failing.clear();
  }
  return gs;
}

Result<Deployment> Autoscaler::GroupDeployment(Id group_id) {
  KR_ASSIGN(auto g, store_.GetGroup(group_id));
  return ParseDeployment(g.deployment, true);
}

std::string Autoscaler::SystemKey(const Job& job, const Deployment& d) const {
  return job.system == "any" || job.system.empty() ? d.default_system : job.system;
}

void Autoscaler::Pass() {
  if (stopped_) return;
  auto groups = store_.ListGroups();
  auto live = machines_.List(0);
  if (!groups || !live) {
    spdlog::warn("autoscaler: cannot read the database; retrying");
    ScheduleWake(clock_.Now() + 1000);
    return;
  }
  Millis next_check = clock_.Now() + options_.tick;
  // A pass follows every job change: with no autoscaled group and no machine left it reads
  // nothing more.
  std::set<Id> with_machines;
  for (const Machine& m : *live) with_machines.insert(m.group_id);
  bool any = false;
  for (const AgentsGroup& g : *groups) {
    auto dep = ParseDeployment(g.deployment, true);
    any = any || (dep && dep->autoscaled()) || with_machines.count(g.id) || groups_.count(g.id);
  }
  if (!any) {
    ScheduleWake(next_check);
    return;
  }
  auto agents = store_.ListAgents(true);
  if (!agents) {
    spdlog::warn("autoscaler: cannot read the database; retrying");
    ScheduleWake(clock_.Now() + 1000);
    return;
  }
  std::map<Id, Agent> by_machine;
  for (Agent& a : *agents)
    if (a.machine_id) by_machine[*a.machine_id] = std::move(a);
  for (const AgentsGroup& g : *groups) {
    auto st = ReconcileGroup(g, by_machine, next_check);
    if (!st) spdlog::warn("autoscaler: group {}: {}", g.name, st.error().message);
  }
  ScheduleWake(next_check);
}

Status Autoscaler::DisableAgent(std::optional<Id> agent_id, bool unauthorize) {
  if (!agent_id) return {};
  auto agent = store_.GetAgent(*agent_id);
  if (!agent) return {};
  agent->disabled = true;
  if (unauthorize) agent->authorized = false;
  return store_.SaveAgent(*agent);
}

Status Autoscaler::Terminate(Machine& m, const std::string& why, bool error) {
  {
    Transaction tx(store_.db());
    m.MoveTo(MachineState::kTerminating, clock_.Now(), why);
    if (error) m.last_error = why;
    KR_TRY(DisableAgent(m.agent_id, false));
    KR_TRY(machines_.Save(m));
    KR_TRY(tx.Commit());
  }
  spdlog::info("autoscaler: machine {} terminating: {}", m.name(), why);
  StartDestroy(m);
  return {};
}

Status Autoscaler::Drain(Machine& m, const std::string& why) {
  Transaction tx(store_.db());
  m.MoveTo(MachineState::kDraining, clock_.Now(), why);
  KR_TRY(DisableAgent(m.agent_id, false));
  KR_TRY(machines_.Save(m));
  return tx.Commit();
}

Status Autoscaler::ReconcileGroup(const AgentsGroup& g, const std::map<Id, Agent>& agents,
                                  Millis& next_check) {
  Millis now = clock_.Now();
  auto parsed = ParseDeployment(g.deployment, true);
  Deployment dep = parsed ? *parsed : Deployment();
  KR_ASSIGN(auto machines, machines_.List(g.id));
  if (!dep.autoscaled() && machines.empty()) {
    groups_.erase(g.id);
    return {};
  }
  std::string fingerprint = dep.Fingerprint();
  GroupPass p{g,   std::move(dep), std::move(fingerprint), State(g), std::move(machines),
              now, next_check};
  KR_TRY(FollowAgents(p, agents));
  KR_TRY(JudgeMachines(p));
  if (!p.dep.autoscaled()) return {};
  KR_ASSIGN(Demand demand, PlanDemand(p));
  KR_TRY(CreateMachines(p, demand));
  return ExplainGroupWaits(p, demand);
}

// 1. Follow each machine's agent: registered, busy, idle again, lost.
Status Autoscaler::FollowAgents(GroupPass& p, const std::map<Id, Agent>& agents) {
  for (Machine& m : p.machines) {
    auto it = agents.find(m.id);
    const Agent* agent = it == agents.end() ? nullptr : &it->second;
    bool changed = false;
    if (m.state == MachineState::kBooting && agent) {
      m.agent_id = agent->id;
      m.idle_since = p.now;
      metrics_.Observe("kraken_machine_phase_seconds",
                       {{"group", p.g.name}, {"phase", "create_accepted_to_registered"}},
                       (p.now - m.EnteredAt(MachineState::kBooting)) / 1000.0);
      m.MoveTo(MachineState::kIdle, p.now, "agent registered");
      changed = true;
    }
    bool serving = m.state == MachineState::kIdle || m.state == MachineState::kBusy ||
                   m.state == MachineState::kDraining;
    if (serving && (!agent || agent->lost)) {
      KR_TRY(Terminate(m, "its agent was lost", true));
      continue;
    }
    if (serving) {
      KR_ASSIGN(int64_t count, machines_.CountAgentJobs(agent->id));
      if (count > m.job_count) {
        if (m.job_count == 0)
          metrics_.Observe("kraken_machine_phase_seconds",
                           {{"group", p.g.name}, {"phase", "registered_to_job_started"}},
                           (p.now - m.EnteredAt(MachineState::kIdle)) / 1000.0);
        m.job_count = count;
        changed = true;
      }
      bool busy = agent->job_id.has_value();
      if (m.state == MachineState::kIdle && busy) {
        m.MoveTo(MachineState::kBusy, p.now);
        changed = true;
      } else if (m.state == MachineState::kBusy && !busy) {
        m.MoveTo(MachineState::kIdle, p.now, "job done");
        m.idle_since = p.now;
        changed = true;
      } else if (m.state == MachineState::kDraining && !busy) {
        KR_TRY(Terminate(m, "drained"));
        continue;
      }
    }
    if (changed) KR_TRY(machines_.Save(m));
  }
  return {};
}

// 2. Judge each machine by time and counts: boot timeout, idle timeout, jobs done, a
// deployment that changed.
Status Autoscaler::JudgeMachines(GroupPass& p) {
  // The warm pool outlives the idle timeout.
  int64_t idle_default = 0;
  for (const Machine& m : p.machines)
    if (m.state == MachineState::kIdle && m.system == p.dep.default_system) ++idle_default;
  for (Machine& m : p.machines) {
    bool stale = !p.dep.autoscaled() || m.deployment_hash != p.fingerprint;
    Judgement j = Judge(m, p.dep, stale, p.now);
    if (j.verdict == Verdict::kTerminate && j.why.starts_with("idle for") &&
        m.system == p.dep.default_system && idle_default <= p.dep.min_idle) {
      continue;
    }
    if (j.verdict == Verdict::kTerminate) {
      if (m.state == MachineState::kIdle && m.system == p.dep.default_system) --idle_default;
      KR_TRY(Terminate(m, j.why, j.why.starts_with("boot timeout")));
    } else if (j.verdict == Verdict::kDrain) {
      KR_TRY(Drain(m, j.why));
    } else if (j.next_check) {
      p.next_check = std::min(p.next_check, j.next_check);
    }
    if (m.state == MachineState::kTerminating && !destroying_.count(m.id)) {
      auto r = destroy_retry_.find(m.id);
      if (r == destroy_retry_.end() || r->second <= p.now)
        StartDestroy(m);
      else
        p.next_check = std::min(p.next_check, r->second);
    }
  }
  return {};
}

// 3. Plan: demand per system, oldest job first; reclaim and drain what the limit no longer
// allows.
Result<Autoscaler::Demand> Autoscaler::PlanDemand(GroupPass& p) {
  // Only this group's queue is read: a pass follows every job change, so it must not cost
  // as much as the whole queue.
  KR_ASSIGN(auto queued, store_.ListQueuedJobsInGroup(p.g.id));
  PlanInput in;
  in.limit = p.dep.instances_limit;
  in.min_idle = p.dep.min_idle;
  in.default_system = p.dep.default_system;
  std::map<std::string, Millis> oldest;
  for (const Job& job : queued) {
    if (job.group_id != p.g.id || job.agent_id) continue;
    std::string key = SystemKey(job, p.dep);
    if (!in.queued[key]++) {
      in.order.push_back(key);
      oldest[key] = job.created;
    }
  }
  for (const Machine& m : p.machines) in.machines.push_back(&m);
  bool ready = p.gs.backoff.Ready(p.now);
  if (!ready) {
    in.max_creates = 0;
    p.next_check = std::min(p.next_check, p.gs.backoff.next_attempt());
  } else if (p.gs.backoff.failures() > 0) {
    in.max_creates = p.gs.creating > 0 ? 0 : 1;  // failing: one probe at a time
  }
  Plan plan = MakePlan(in);
  for (Id id : plan.reclaim)
    for (Machine& m : p.machines)
      if (m.id == id && m.state == MachineState::kIdle)
        KR_TRY(Terminate(m, "reclaimed: the group's limit is needed elsewhere"));
  for (Id id : plan.drain)
    for (Machine& m : p.machines)
      if (m.id == id && m.state == MachineState::kBusy)
        KR_TRY(Drain(m, "the group's limit shrank"));
  return Demand{std::move(queued), std::move(in.order), std::move(oldest), std::move(plan), ready};
}

// The machines the plan creates: their records and tokens in one transaction, then the
// driver calls off the loop.
Status Autoscaler::CreateMachines(GroupPass& p, Demand& d) {
  std::shared_ptr<cloud::Driver> driver;
  if (!d.plan.create.empty()) {
    auto found = drivers_.For(p.dep);
    if (!found) {
      p.gs.failing = found.error().message;
      d.plan.create.clear();
    } else {
      driver = *found;
    }
  }
  if (!d.plan.create.empty()) {
    // The decision, its records and their tokens land together, before any driver call.
    std::vector<std::pair<Machine, std::string>> made;
    {
      Transaction tx(store_.db());
      for (const std::string& system : d.plan.create) {
        Machine m;
        m.group_id = p.g.id;
        m.system = system;
        m.method = p.dep.method;
        m.deployment_hash = p.fingerprint;
        m.created = m.updated = p.now;
        m.boot_deadline = p.now + p.dep.boot_timeout * 1000;
        m.queued_at = d.oldest.count(system) ? d.oldest[system] : p.now;
        m.MoveTo(MachineState::kRequested, p.now);
        KR_ASSIGN(m, machines_.Create(m));
        KR_ASSIGN(auto token,
                  engine_.MintRegistrationToken(p.g.id, p.dep.boot_timeout * 1000, m.id));
        m.token_hash = auth::HashToken(token);
        KR_TRY(machines_.Save(m));
        made.emplace_back(std::move(m), std::move(token));
      }
      KR_TRY(tx.Commit());
    }
    for (auto& [m, token] : made) {
      if (d.oldest.count(m.system))
        metrics_.Observe("kraken_machine_phase_seconds",
                         {{"group", p.g.name}, {"phase", "queued_to_decision"}},
                         (p.now - m.queued_at) / 1000.0);
      cloud::MachineSpec spec;
      spec.machine_id = m.id;
      spec.server_id = options_.server_id;
      spec.group_id = p.g.id;
      spec.group_name = p.g.name;
      spec.system = m.system;
      spec.registration_token = token;
      spec.server_url = AgentServerUrl();
      spec.server_fingerprint = options_.server_fingerprint;
      spec.options = p.dep.raw;
      spec.one_job = p.dep.destroy_after_jobs == 1;
      StartCreate(m, std::move(spec), driver);
      p.machines.push_back(m);
    }
  }
  return {};
}

// 4. Explain why each system's jobs wait.
Status Autoscaler::ExplainGroupWaits(GroupPass& p, const Demand& d) {
  p.gs.reasons.clear();
  for (const std::string& key : d.order) {
    std::string reason;
    const Machine* coming = nullptr;
    for (const Machine& m : p.machines)
      if (m.system == key && IsComing(m.state) && (!coming || m.created < coming->created))
        coming = &m;
    if (!p.gs.failing.empty()) {
      reason = "group failing: " + p.gs.failing;
      if (!d.ready)
        reason +=
            fmt::format(" (next try in {} s)", (p.gs.backoff.next_attempt() - p.now + 999) / 1000);
    } else if (!d.ready && !coming) {
      reason = fmt::format("creating a machine failed ({}); next try in {} s", p.gs.last_error,
                           (p.gs.backoff.next_attempt() - p.now + 999) / 1000);
    } else if (coming) {
      bool booting = coming->state == MachineState::kBooting;
      reason = fmt::format(
          "machine {} {} for {} s", coming->name(), booting ? "booting" : "being created",
          (p.now - coming->EnteredAt(booting ? MachineState::kBooting : MachineState::kRequested)) /
              1000);
    } else if (d.plan.waiting_for_limit.count(key)) {
      reason = fmt::format("group limit {} reached", p.dep.instances_limit);
    }
    if (!reason.empty()) p.gs.reasons[key] = reason;
  }
  // The scheduler writes the reasons; it reads them from WaitReason, as set just above.
  std::vector<Job> waiting;
  for (const Job& job : d.queued)
    if (job.group_id == p.g.id && !job.agent_id) waiting.push_back(job);
  return engine_.ExplainWaits(waiting);
}

std::string Autoscaler::AgentServerUrl() {
  // Read at each creation: an admin may change it while the server runs.
  auto saved = store_.GetSetting("server_url");
  if (saved && *saved && !(*saved)->empty()) return **saved;
  return options_.server_url;
}

std::string Autoscaler::MachineSystem(Id machine_id) {
  auto m = machines_.Get(machine_id);
  return m ? m->system : "";
}

std::string Autoscaler::WaitReason(const Job& job) const {
  auto g = groups_.find(job.group_id);
  if (g == groups_.end()) return {};
  auto parsed = ParseDeployment(g->second.deployment, true);
  if (!parsed) return {};
  auto r = g->second.reasons.find(SystemKey(job, *parsed));
  return r == g->second.reasons.end() ? "" : r->second;
}

}  // namespace kraken::autoscale
