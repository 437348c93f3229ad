#include "autoscale/policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace kraken::autoscale {

namespace {

// The group's live machines, counted by state and system.
struct Fleet {
  std::map<std::string, int64_t> idle, coming;
  std::vector<const Machine*> idle_machines, busy_machines;
  int64_t alive = 0;
};

Fleet CountFleet(const std::vector<const Machine*>& machines) {
  Fleet f;
  for (const Machine* m : machines) {
    if (!IsAlive(m->state)) continue;
    ++f.alive;
    if (m->state == MachineState::kIdle) {
      ++f.idle[m->system];
      f.idle_machines.push_back(m);
    } else if (m->state == MachineState::kBusy) {
      f.busy_machines.push_back(m);
    } else if (IsComing(m->state)) {
      ++f.coming[m->system];
    }
  }
  // Longest idle first: the machine least likely to be needed.
  std::sort(f.idle_machines.begin(), f.idle_machines.end(),
            [](const Machine* a, const Machine* b) { return a->idle_since < b->idle_since; });
  return f;
}

// Over the limit (it was lowered): idle machines go first, then busy ones are drained.
// Returns the room left for new machines.
int64_t ShrinkToLimit(const Fleet& f, int64_t room, Plan& plan) {
  if (room >= 0) return room;
  for (const Machine* m : f.idle_machines) {
    if (room >= 0) break;
    plan.reclaim.push_back(m->id);
    ++room;
  }
  for (const Machine* m : f.busy_machines) {
    if (room >= 0) break;
    plan.drain.push_back(m->id);
    ++room;
  }
  return 0;  // the drained still count until they are gone
}

}  // namespace

Plan MakePlan(const PlanInput& in) {
  Plan plan;
  Fleet fleet = CountFleet(in.machines);
  auto& idle = fleet.idle;
  auto& coming = fleet.coming;
  std::map<std::string, int64_t> need;
  std::vector<std::string> order = in.order;
  if (in.min_idle > 0 && std::find(order.begin(), order.end(), in.default_system) == order.end())
    order.push_back(in.default_system);
  for (const std::string& s : order) {
    int64_t want = (in.queued.count(s) ? in.queued.at(s) : 0) - idle[s] - coming[s];
    if (s == in.default_system) want += in.min_idle;
    need[s] = std::max<int64_t>(0, want);
  }

  int64_t room = ShrinkToLimit(fleet, in.limit - fleet.alive, plan);

  int64_t budget = in.max_creates < 0 ? room : std::min(room, in.max_creates);
  bool progress = true;
  while (budget > 0 && progress) {
    progress = false;
    for (const std::string& s : order) {
      if (budget == 0) break;
      if (need[s] == 0) continue;
      plan.create.push_back(s);
      --need[s];
      --budget;
      progress = true;
    }
  }
  int64_t short_total = 0;
  for (auto& [s, n] : need)
    if (n > 0) {
      int64_t jobs = std::min(n, in.queued.count(s) ? in.queued.at(s) : 0);
      if (jobs > 0) plan.waiting_for_limit[s] = jobs;
      short_total += n;
    }
  // Full, with demand left: idle machines of a system with nothing queued make room.
  if (short_total > 0 && room - static_cast<int64_t>(plan.create.size()) <= 0 &&
      in.max_creates != 0) {
    for (const Machine* m : fleet.idle_machines) {
      if (short_total == 0) break;
      const std::string& s = m->system;
      int64_t keep =
          (in.queued.count(s) ? in.queued.at(s) : 0) + (s == in.default_system ? in.min_idle : 0);
      if (idle[s] <= keep || need[s] > 0) continue;
      if (std::find(plan.reclaim.begin(), plan.reclaim.end(), m->id) != plan.reclaim.end())
        continue;
      plan.reclaim.push_back(m->id);
      --idle[s];
      --short_total;
    }
  }
  return plan;
}

Judgement Judge(const Machine& m, const Deployment& d, bool stale, Millis now) {
  Judgement j;
  switch (m.state) {
    case MachineState::kBooting:
      if (now >= m.boot_deadline) {
        j.verdict = Verdict::kTerminate;
        j.why = fmt::format("boot timeout: its agent did not register within {} s", d.boot_timeout);
      } else if (stale) {
        j.verdict = Verdict::kTerminate;
        j.why = "deployment changed";
      } else {
        j.next_check = m.boot_deadline;
      }
      break;
    case MachineState::kIdle: {
      if (stale) {
        j.verdict = Verdict::kTerminate;
        j.why = "deployment changed";
      } else if (d.destroy_after_jobs > 0 && m.job_count >= d.destroy_after_jobs) {
        j.verdict = Verdict::kTerminate;
        j.why = fmt::format("ran {} job{}", m.job_count, m.job_count == 1 ? "" : "s");
      } else if (d.destroy_after_idle_minutes > 0) {
        Millis idle_ms = static_cast<Millis>(std::llround(d.destroy_after_idle_minutes * 60'000));
        if (now - m.idle_since >= idle_ms) {
          j.verdict = Verdict::kTerminate;
          j.why = fmt::format("idle for {} s", (now - m.idle_since) / 1000);
        } else {
          j.next_check = m.idle_since + idle_ms;
        }
      }
      break;
    }
    case MachineState::kBusy:
      // Drained, never stopped: it takes no further job and goes once this one ends.
      if (stale) {
        j.verdict = Verdict::kDrain;
        j.why = "deployment changed";
      } else if (d.destroy_after_jobs > 0 && m.job_count >= d.destroy_after_jobs) {
        j.verdict = Verdict::kDrain;
        j.why = fmt::format("running its last job ({} of {})", m.job_count, d.destroy_after_jobs);
      }
      break;
    default:
      break;
  }
  return j;
}

}  // namespace kraken::autoscale
