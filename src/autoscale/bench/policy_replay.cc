// Policy replay: replays a job-arrival trace against a simulated driver and reports, per
// autoscaling policy, the p50/p95 wait (queued → started) and the machine-minutes billed.
//
// The trace model (generated with --generate, saved as CSV: arrival_s,duration_s,flow):
//   - a daily cycle: flows arrive as a Poisson process whose rate follows working hours
//     (rate(h) = base + peak·max(0, sin(π·(h−8)/10)) for h in 8..18, weekends at 15 %);
//   - bursts: each flow fans out into 1 + Geometric(0.35) jobs at once (up to 12), and one
//     flow in 20 is a big fan-out of 20–40 jobs (a nightly matrix or a release);
//   - job durations: log-normal, median 4 min, σ = 0.8 (p95 ≈ 15 min), capped at 60 min.
// The simulated driver: boot time log-normal, median 35 s, σ = 0.35 (p95 ≈ 62 s); billed
// per second with a one-minute minimum, at $0.0017 per machine-minute (about $0.10/h).
//
//   autoscale_policy_replay --generate TRACE.csv [--days 7 --seed 1]
//   autoscale_policy_replay TRACE.csv
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "autoscale/policy.h"

using namespace kraken;
using namespace kraken::autoscale;

namespace {

struct TraceJob {
  int64_t arrival = 0, duration = 0, flow = 0;
};

std::vector<TraceJob> Generate(int days, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<TraceJob> out;
  std::lognormal_distribution<double> dur(std::log(240.0), 0.8);
  std::geometric_distribution<int> fan(0.35);
  std::uniform_real_distribution<double> u(0, 1);
  int64_t flow = 0;
  for (int64_t t = 0; t < days * 86400LL; ++t) {
    double h = (t % 86400) / 3600.0;
    bool weekend = (t / 86400) % 7 >= 5;
    // Flows per hour: 4 at night, up to 64 at the early-afternoon peak.
    double rate = 4 + (h >= 8 && h <= 18 ? 60 * std::sin(M_PI * (h - 8) / 10) : 0);
    if (weekend) rate *= 0.15;
    if (u(rng) >= rate / 3600.0) continue;
    ++flow;
    int n = u(rng) < 0.05 ? 20 + static_cast<int>(u(rng) * 21) : std::min(12, 1 + fan(rng));
    for (int i = 0; i < n; ++i)
      out.push_back(
          {t, std::min<int64_t>(3600, std::max<int64_t>(10, std::llround(dur(rng)))), flow});
  }
  return out;
}

struct Config {
  std::string name;
  bool kraken_ci = false;  // Kraken CI's policy, polling every 5 s
  int64_t min_idle = 0;
  double idle_minutes = 10;
  int64_t after_jobs = 0;
  int64_t limit = 40;
};

struct SimMachine {
  Machine m;
  int64_t start = 0, ready = 0, end = -1, busy_until = -1;
};

struct Outcome {
  double p50 = 0, p95 = 0, mean = 0, machine_minutes = 0, idle_share = 0;
};

Outcome Replay(const std::vector<TraceJob>& trace, const Config& c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> boot(std::log(35.0), 0.35);
  std::deque<const TraceJob*> queue;
  std::deque<int64_t> queued_at;
  std::vector<SimMachine> ms;
  std::vector<double> waits;
  size_t next = 0;
  int64_t horizon = trace.empty() ? 0 : trace.back().arrival + 4 * 3600;
  Deployment d;
  d.instances_limit = c.limit;
  d.min_idle = c.min_idle;
  d.destroy_after_idle_minutes = c.idle_minutes;
  d.destroy_after_jobs = c.after_jobs;
  d.boot_timeout = 600;
  double busy_seconds = 0, billed = 0;
  Id ids = 0;
  for (int64_t t = 0; t <= horizon; ++t) {
    while (next < trace.size() && trace[next].arrival == t) queue.push_back(&trace[next++]);
    for (SimMachine& s : ms) {
      if (s.end >= 0) continue;
      if (s.m.state == MachineState::kBooting && t >= s.ready) {
        s.m.state = MachineState::kIdle;
        s.m.idle_since = t * 1000;
      }
      if (s.m.state == MachineState::kBusy && t >= s.busy_until) {
        s.m.state = MachineState::kIdle;
        s.m.idle_since = t * 1000;
      }
    }
    // The scheduler: oldest job to any idle machine.
    for (SimMachine& s : ms) {
      if (queue.empty()) break;
      if (s.end >= 0 || s.m.state != MachineState::kIdle) continue;
      if (c.after_jobs > 0 && s.m.job_count >= c.after_jobs) continue;  // used up: drained
      const TraceJob* j = queue.front();
      queue.pop_front();
      waits.push_back(static_cast<double>(t - j->arrival));
      s.m.state = MachineState::kBusy;
      s.m.job_count++;
      s.busy_until = t + j->duration;
      busy_seconds += j->duration;
    }
    // Destruction.
    bool kraken_tick = t % 5 == 0, kraken_destroy_tick = t % 30 == 0;
    for (SimMachine& s : ms) {
      if (s.end >= 0 || s.m.state != MachineState::kIdle) continue;
      bool used_up = c.after_jobs > 0 && s.m.job_count >= c.after_jobs;
      if (c.kraken_ci && !kraken_destroy_tick && !used_up) continue;
      Judgement jd = Judge(s.m, d, false, t * 1000);
      if (jd.verdict != Verdict::kTerminate) continue;
      if (!c.kraken_ci && jd.why.starts_with("idle for")) {
        int64_t idle = 0;
        for (const SimMachine& o : ms) idle += o.end < 0 && o.m.state == MachineState::kIdle;
        if (idle <= c.min_idle) continue;
      }
      s.end = t;
      s.m.state = MachineState::kGone;
    }
    // Creation.
    int64_t create = 0;
    if (c.kraken_ci) {
      if (kraken_tick) {
        int64_t agents = 0;
        for (const SimMachine& s : ms) agents += s.end < 0;
        // Kraken CI: queued − every agent (busy ones too), limit checked once.
        if (agents < c.limit)
          create = std::max<int64_t>(0, static_cast<int64_t>(queue.size()) - agents);
        create = std::min(create, c.limit - agents);
      }
    } else {
      PlanInput in;
      in.limit = c.limit;
      in.min_idle = c.min_idle;
      if (!queue.empty()) {
        in.queued["any"] = static_cast<int64_t>(queue.size());
        in.order.push_back("any");
      }
      for (const SimMachine& s : ms)
        if (s.end < 0) in.machines.push_back(&s.m);
      create = static_cast<int64_t>(MakePlan(in).create.size());
    }
    for (int64_t i = 0; i < create; ++i) {
      SimMachine s;
      s.m.id = ++ids;
      s.m.state = MachineState::kBooting;
      s.start = t;
      s.ready = t + std::max<int64_t>(5, std::llround(boot(rng)));
      s.m.boot_deadline = (t + 600) * 1000;
      ms.push_back(s);
    }
    // Ended machines are billed and forgotten.
    for (const SimMachine& s : ms)
      if (s.end >= 0) billed += static_cast<double>(std::max<int64_t>(60, s.end - s.start));
    std::erase_if(ms, [](const SimMachine& s) { return s.end >= 0; });
  }
  for (const SimMachine& s : ms)
    billed += static_cast<double>(std::max<int64_t>(60, horizon - s.start));
  Outcome o;
  std::sort(waits.begin(), waits.end());
  if (!waits.empty()) {
    o.p50 = waits[waits.size() / 2];
    o.p95 = waits[std::min(waits.size() - 1, waits.size() * 95 / 100)];
    for (double w : waits) o.mean += w;
    o.mean /= static_cast<double>(waits.size());
  }
  o.machine_minutes = billed / 60;
  o.idle_share = 1 - busy_seconds / billed;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 2 && args[0] == "--generate") {
    int days = 7;
    uint64_t seed = 1;
    for (size_t i = 2; i + 1 < args.size(); i += 2) {
      if (args[i] == "--days") days = std::stoi(args[i + 1]);
      if (args[i] == "--seed") seed = std::stoull(args[i + 1]);
    }
    auto trace = Generate(days, seed);
    std::ofstream out(args[1]);
    out << "arrival_s,duration_s,flow\n";
    for (const auto& j : trace) out << j.arrival << "," << j.duration << "," << j.flow << "\n";
    std::cout << "wrote " << trace.size() << " jobs over " << days << " days to " << args[1]
              << "\n";
    return 0;
  }
  if (args.size() != 1) {
    std::cerr << "usage: autoscale_policy_replay --generate TRACE.csv [--days N --seed S]\n"
                 "       autoscale_policy_replay TRACE.csv\n";
    return 2;
  }
  std::ifstream in(args[0]);
  std::string line;
  std::getline(in, line);
  std::vector<TraceJob> trace;
  while (std::getline(in, line)) {
    TraceJob j;
    if (std::sscanf(line.c_str(), "%ld,%ld,%ld", &j.arrival, &j.duration, &j.flow) == 3)
      trace.push_back(j);
  }
  std::cout << "trace: " << trace.size() << " jobs; limit 40 machines; boot median 35 s; "
            << "$0.0017 per machine-minute\n\n";
  std::vector<Config> configs = {
      {"Kraken CI (poll 5 s, 1 job/machine, idle 30 min)", true, 0, 30, 1},
      {"Kraken CI, reused machines (N=0, idle 30 min)", true, 0, 30, 0},
      {"ours, single-use (N=1), no warm pool", false, 0, 10, 1},
      {"ours, reuse, idle 10 min, no warm pool", false, 0, 10, 0},
      {"ours, reuse, idle 5 min, no warm pool", false, 0, 5, 0},
      {"ours, reuse, idle 2 min, no warm pool", false, 0, 2, 0},
      {"ours, reuse, idle 2 min, min_idle 2", false, 2, 2, 0},
      {"ours, reuse, idle 10 min, min_idle 1", false, 1, 10, 0},
      {"ours, reuse, idle 10 min, min_idle 2", false, 2, 10, 0},
      {"ours, reuse, idle 10 min, min_idle 4", false, 4, 10, 0},
      {"ours, single-use (N=1), min_idle 2", false, 2, 10, 1},
  };
  std::printf("%-50s %8s %8s %8s %12s %8s %6s\n", "policy", "p50 s", "p95 s", "mean s",
              "machine-min", "cost $", "idle");
  for (const Config& c : configs) {
    Outcome o = Replay(trace, c, 7);
    std::printf("%-50s %8.0f %8.0f %8.1f %12.0f %8.2f %5.0f%%\n", c.name.c_str(), o.p50, o.p95,
                o.mean, o.machine_minutes, o.machine_minutes * 0.0017, 100 * o.idle_share);
  }
  return 0;
}
