// Benchmarks for the results module at the scale of a large project: 100,000 tests per run,
// compared with 10 earlier flows, and a 100,000-case JUnit report.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "results/analysis.h"
#include "results/history.h"
#include "results/junit.h"
#include "results/result_record.h"

namespace kraken::results {
namespace {

constexpr int kTests = 100'000;
constexpr int kEarlierFlows = 10;

std::string TestName(int i) {
  return "org.example.module" + std::to_string(i % 97) + ".SomeFeatureTest::test_case_" +
         std::to_string(i);
}

// Deterministic mix: most tests pass, some always fail, some flip every other flow.
TestStatus StatusOf(int test, int flow) {
  if (test % 50 == 0) return TestStatus::kFailed;
  if (test % 101 == 0) return flow % 2 == 0 ? TestStatus::kPassed : TestStatus::kError;
  if (test % 307 == 0) return TestStatus::kDisabled;
  return TestStatus::kPassed;
}

struct EarlierResult {
  std::string test;
  PastResult result;
};

// flows[0] is the newest earlier flow.
std::vector<std::vector<EarlierResult>> MakeEarlierFlows(const std::vector<std::string>& names) {
  std::vector<std::vector<EarlierResult>> flows(kEarlierFlows);
  for (int flow = 0; flow < kEarlierFlows; ++flow) {
    flows[flow].reserve(names.size());
    for (int i = 0; i < kTests; ++i) {
      flows[flow].push_back({names[i], PastResult{StatusOf(i, flow + 1), kEarlierFlows - flow}});
    }
  }
  return flows;
}

std::vector<NewResult> MakeBatch(const std::vector<std::string>& names) {
  std::vector<NewResult> batch;
  batch.reserve(names.size());
  for (int i = 0; i < kTests; ++i) batch.push_back({names[i], StatusOf(i + (i % 7 == 0), 0)});
  return batch;
}

std::vector<std::string> MakeNames() {
  std::vector<std::string> names;
  names.reserve(kTests);
  for (int i = 0; i < kTests; ++i) names.push_back(TestName(i));
  return names;
}

void BM_AnalyzeRun(benchmark::State& state) {
  std::vector<std::string> names = MakeNames();
  InMemoryHistory history;
  for (const auto& flow : MakeEarlierFlows(names)) {
    for (const EarlierResult& earlier : flow) history.Add(earlier.test, earlier.result);
  }
  std::vector<NewResult> batch = MakeBatch(names);
  for (auto _ : state) {
    RunAnalysis run = AnalyzeRun(batch, history);
    benchmark::DoNotOptimize(run);
  }
  state.SetItemsProcessed(state.iterations() * kTests);
}
BENCHMARK(BM_AnalyzeRun)->Unit(benchmark::kMillisecond);

// What the server does per run: load 10 earlier flows into memory, then analyse.
void BM_IngestAndAnalyzeRun(benchmark::State& state) {
  std::vector<std::string> names = MakeNames();
  std::vector<std::vector<EarlierResult>> flows = MakeEarlierFlows(names);
  std::vector<NewResult> batch = MakeBatch(names);
  for (auto _ : state) {
    InMemoryHistory history;
    for (const auto& flow : flows) {
      for (const EarlierResult& earlier : flow) history.Add(earlier.test, earlier.result);
    }
    RunAnalysis run = AnalyzeRun(batch, history);
    benchmark::DoNotOptimize(run);
  }
  state.SetItemsProcessed(state.iterations() * kTests);
}
BENCHMARK(BM_IngestAndAnalyzeRun)->Unit(benchmark::kMillisecond);

std::string MakeJunitReport() {
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  for (int suite = 0; suite < kTests / 100; ++suite) {
    xml += "  <testsuite name=\"suite" + std::to_string(suite) + "\" tests=\"100\">\n";
    for (int i = suite * 100; i < (suite + 1) * 100; ++i) {
      xml += "    <testcase classname=\"org.example.Suite" + std::to_string(suite) +
             "\" name=\"test_" + std::to_string(i) + "\" time=\"0.0" + std::to_string(i % 10) +
             "\"";
      switch (StatusOf(i, 0)) {
        case TestStatus::kFailed:
          xml +=
              "><failure message=\"expected 1 &lt; 0\" type=\"AssertionError\">"
              "at Suite.java:42</failure></testcase>\n";
          break;
        case TestStatus::kDisabled:
          xml += "><skipped message=\"not on this platform\"/></testcase>\n";
          break;
        default:
          xml += "/>\n";
      }
    }
    xml += "  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  return xml;
}

void BM_ParseJunit(benchmark::State& state) {
  std::string xml = MakeJunitReport();
  for (auto _ : state) {
    auto cases = ParseJunit(xml, "report.xml");
    if (!cases || cases->size() != kTests) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(cases);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(xml.size()));
  state.SetItemsProcessed(state.iterations() * kTests);
}
BENCHMARK(BM_ParseJunit)->Unit(benchmark::kMillisecond);

void BM_JunitToJsonLines(benchmark::State& state) {
  auto cases = ParseJunit(MakeJunitReport(), "report.xml");
  for (auto _ : state) {
    std::string lines = ToJsonLines(ToResultRecords(*cases));
    benchmark::DoNotOptimize(lines);
  }
  state.SetItemsProcessed(state.iterations() * kTests);
}
BENCHMARK(BM_JunitToJsonLines)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kraken::results

BENCHMARK_MAIN();
