// Decision latency: from a job being queued (a flow started on the engine) to the driver's
// create call for the machine it needs, through the real engine, store (SQLite), event
// loop, autoscaler and worker pool, with a driver that only records when it is called.
// Each iteration queues one more job while earlier machines stay booting, so later
// iterations reconcile against hundreds of queued jobs and machines.
//
//   build/src/autoscale/autoscale_decision_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include "auth/crypto.h"
#include "autoscale/autoscaler.h"
#include "store/store.h"

namespace kraken::autoscale {
namespace {

using Clock = std::chrono::steady_clock;

class RecordingDriver : public cloud::Driver {
 public:
  std::string method() const override { return "fake"; }
  cloud::DriverResult<std::string> Create(const cloud::MachineSpec& spec) override {
    std::lock_guard lock(mu_);
    called_ = Clock::now();
    ++calls_;
    cv_.notify_all();
    return "m" + std::to_string(spec.machine_id);
  }
  cloud::DriverResult<void> Destroy(const std::string&) override { return {}; }
  cloud::DriverResult<std::vector<cloud::DriverMachine>> List(const std::string&, Id) override {
    return std::vector<cloud::DriverMachine>{};
  }
  Clock::time_point WaitCall(int64_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return calls_ >= n; });
    return called_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  Clock::time_point called_;
  int64_t calls_ = 0;
};

void BM_JobQueuedToCreateCall(benchmark::State& state) {
  (void)auth::InitCrypto();
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("kraken-decision-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto db = store::OpenDb("sqlite:" + (dir / "kraken.db").string());
  auto st = store::Store::Open(std::move(*db));
  auto& store = **st;
  (void)store.SetSetting("server_id", "bench");
  http::Loop loop;
  exec::Engine engine(store, RealClock::Instance(),
                      [&loop](std::function<void()> fn) { loop.Post(std::move(fn)); });
  (void)engine.Bootstrap();
  AllowFakeDriver(true);
  Drivers drivers("/bin/true", (dir / "machines").string());
  auto driver = std::make_shared<RecordingDriver>();
  drivers.Set("fake", driver);
  AutoscalerOptions options;
  options.server_id = "bench";
  options.server_url = "http://127.0.0.1:1";
  options.sweep_interval = 3'600'000;
  Autoscaler autoscaler(engine, store, loop, RealClock::Instance(), drivers, options);
  engine.add_listener(&autoscaler);

  Millis now = RealClock::Instance().Now();
  AgentsGroup g;
  g.name = "auto";
  g.deployment = Json{{"method", "fake"}, {"instances_limit", 100000}, {"boot_timeout", 86400}};
  g.created = now;
  (void)store.CreateGroup(g);
  auto project = store.CreateProject(Project{0, "bench", "", now});
  Branch b{0, project->id, "main", "main"};
  b.created = now;
  auto branch = store.CreateBranch(b);
  Stage stage;
  stage.branch_id = branch->id;
  stage.name = "one";
  stage.schema = Json{
      {"parent", "root"},
      {"triggers", {{"parent", true}}},
      {"jobs",
       Json::array({Json{
           {"name", "j"},
           {"steps", Json::array({Json{{"tool", "shell"}, {"cmd", "true"}}})},
           {"environments",
            Json::array({Json{{"system", "any"}, {"agents_group", "auto"}, {"config", "c"}}})}}})}};
  stage.schema_code = stage.schema.dump();
  stage.created = stage.updated = now;
  (void)store.CreateStage(stage);

  std::thread loop_thread([&] { loop.Run(); });
  auto on_loop = [&](auto fn) {
    std::promise<void> done;
    loop.Post([&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  };
  on_loop([&] { (void)autoscaler.Start(); });

  std::vector<double> latencies;
  int64_t n = 0;
  for (auto _ : state) {
    Clock::time_point queued;
    on_loop([&] {
      queued = Clock::now();
      auto flow = engine.StartFlow(branch->id, FlowKind::kCi, Json::object());
      if (!flow) state.SkipWithError(flow.error().message.c_str());
    });
    Clock::time_point called = driver->WaitCall(++n);
    double ms = std::chrono::duration<double, std::milli>(called - queued).count();
    latencies.push_back(ms);
    state.SetIterationTime(ms / 1000.0);
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies[std::min(latencies.size() - 1, size_t(p * latencies.size()))];
  };
  state.counters["p50_ms"] = pct(0.50);
  state.counters["p99_ms"] = pct(0.99);
  state.counters["max_ms"] = latencies.back();
  on_loop([&] { autoscaler.Stop(); });
  loop.Post([&] { loop.Stop(); });
  loop_thread.join();
  fs::remove_all(dir);
}
BENCHMARK(BM_JobQueuedToCreateCall)
    ->UseManualTime()
    ->Iterations(500)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kraken::autoscale

BENCHMARK_MAIN();
