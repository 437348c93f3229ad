// The numbers the issue names, on SQLite in a temporary file:
//   Ingest100kAndAnalyze  one job reporting 100,000 results in agent-sized batches (one
//                         transaction each, as the server stores them), then the run's
//                         analysis against the 10 earlier flows of the same stage;
//   TestHistory           a test case's history page (50 newest results);
//   ResultsTable*         the results table of the 100,000-result run, filtered and sorted.
// Run: build-dir/src/resultdb/resultdb_bench
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "resultdb/result_store.h"
#include "store/store.h"

namespace kraken::resultdb {
namespace {

constexpr int kTests = 100'000;
constexpr int kEarlierFlows = 10;
constexpr size_t kBatch = 2000;

struct World {
  std::string dir;
  std::unique_ptr<store::Store> store;
  Branch branch;
  Stage stage;
  AgentsGroup group;
  int64_t seq = 0;
  Id last_run = 0;
  std::vector<Id> last_results;

  World() {
    dir = std::filesystem::temp_directory_path() /
          ("kraken-resultdb-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    store =
        std::move(*store::Store::Open(std::move(*store::OpenDb("sqlite:" + dir + "/kraken.db"))));
    Project p;
    p.name = "bench";
    p.created = 1;
    p = *store->CreateProject(p);
    branch.project_id = p.id;
    branch.name = branch.branch_name = "main";
    branch = *store->CreateBranch(branch);
    stage.branch_id = branch.id;
    stage.name = "tests";
    stage = *store->CreateStage(stage);
    auto g = *store->FindGroup("all");
    group = g ? *g : *store->CreateGroup(AgentsGroup{0, "all", std::nullopt, Json::object(), 1});
    for (int i = 0; i < kEarlierFlows; ++i) RunFlow();
  }
  ~World() { std::filesystem::remove_all(dir); }

  // One CI flow whose single job reports kTests results; stored and analysed as the server
  // does. Returns the seconds it took.
  double RunFlow() {
    Flow f;
    f.branch_id = branch.id;
    f.seq = f.kind_seq = ++seq;
    f.created = seq;
    f = *store->CreateFlow(f);
    Run r;
    r.flow_id = f.id;
    r.stage_id = stage.id;
    r.stage_name = stage.name;
    r.state = RunState::kCompleted;
    r = *store->CreateRun(r);
    Job j;
    j.run_id = r.id;
    j.name = "unit";
    j.group_id = group.id;
    j.group_name = group.name;
    j.system = "debian-12";
    j.state = JobState::kCompleted;
    std::vector<Step> steps;
    j = *store->CreateJob(j, steps);
    std::mt19937 rng(static_cast<unsigned>(seq));
    std::vector<results::ResultRecord> all(kTests);
    for (int i = 0; i < kTests; ++i) {
      auto& rec = all[i];
      rec.test = "rnd.suite" + std::to_string(i / 100) + "::test_" + std::to_string(i);
      rec.status = i % 20 == 7
                       ? (rng() % 2 ? results::TestStatus::kPassed : results::TestStatus::kFailed)
                   : i % 20 == 13 ? results::TestStatus::kFailed
                                  : results::TestStatus::kPassed;
      rec.duration_seconds = 0.01;
    }
    JobScope scope{j.id, r.id, f.id, branch.id, stage.id, group.id, "ci", "debian-12", "unit"};
    ResultStore rs(store->db());
    auto start = std::chrono::steady_clock::now();
    for (size_t b = 0; b * kBatch < all.size(); ++b) {
      std::vector<results::ResultRecord> batch(
          all.begin() + b * kBatch, all.begin() + std::min(all.size(), (b + 1) * kBatch));
      store::Transaction tx(store->db());
      if (!rs.StoreBatch(scope, 0, static_cast<int64_t>(b), batch, {}, {}, seq)) std::abort();
      if (!tx.Commit()) std::abort();
    }
    {
      store::Transaction tx(store->db());
      auto counters = rs.AnalyzeRun(r, f, seq);
      if (!counters) {
        fprintf(stderr, "%s\n", counters.error().message.c_str());
        std::abort();
      }
      r.state = RunState::kProcessed;
      if (!store->SaveRun(r) || !tx.Commit()) std::abort();
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    last_run = r.id;
    return s;
  }
};

World& TheWorld() {
  static World world;
  return world;
}

void Ingest100kAndAnalyze(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) state.SetIterationTime(w.RunFlow());
  state.counters["results"] = kTests;
}
BENCHMARK(Ingest100kAndAnalyze)->UseManualTime()->Iterations(3)->Unit(benchmark::kMillisecond);

void TestHistory(benchmark::State& state) {
  World& w = TheWorld();
  ResultStore rs(w.store->db());
  ResultFilter f;
  f.name = "rnd.suite500::test_50007";
  auto one = rs.ListRunResults(w.last_run, f);
  StoredResult of = one->first.at(0);
  for (auto _ : state) {
    auto page = rs.History(of, 50, 0);
    benchmark::DoNotOptimize(page);
    if (!page || page->second < kEarlierFlows) std::abort();
  }
}
BENCHMARK(TestHistory)->Unit(benchmark::kMillisecond);

void ResultsTable(benchmark::State& state, ResultFilter f) {
  World& w = TheWorld();
  ResultStore rs(w.store->db());
  for (auto _ : state) {
    auto page = rs.ListRunResults(w.last_run, f);
    if (!page) std::abort();
    benchmark::DoNotOptimize(page);
  }
}

ResultFilter FailedByRelevancy() {
  ResultFilter f;
  f.statuses = {2, 3};
  return f;
}
ResultFilter RegressionsByName() {
  ResultFilter f;
  f.changes = {2};
  f.sort = "name";
  f.descending = false;
  return f;
}
ResultFilter NameTextByAge() {
  ResultFilter f;
  f.name = "suite42";
  f.sort = "age";
  return f;
}
ResultFilter AllByRelevancyPage100() {
  ResultFilter f;
  f.offset = 5000;
  return f;
}
BENCHMARK_CAPTURE(ResultsTable, failed_by_relevancy, FailedByRelevancy())
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ResultsTable, regressions_by_name, RegressionsByName())
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ResultsTable, name_text_by_age, NameTextByAge())->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ResultsTable, all_by_relevancy_page_100, AllByRelevancyPage100())
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kraken::resultdb

BENCHMARK_MAIN();
