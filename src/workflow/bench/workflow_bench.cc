// Stage schema evaluation end to end (Starlark load and call, conversion to JSON, validation
// against the workflow JSON schema, semantic checks), as the server does at save and at run
// start. Run: build/src/workflow/workflow_bench
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "workflow/context.h"
#include "workflow/schema_source.h"
#include "workflow/stage_schema.h"

namespace kraken::workflow {
namespace {

std::string TypicalStage() {
  std::ifstream in(std::string(KRAKEN_SOURCE_DIR) + "/src/workflow/bench/typical_stage.star");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void BM_Typical200LineStage(benchmark::State& state) {
  std::string code = TypicalStage();
  Json ctx = SampleContext();
  for (auto _ : state) {
    auto stage = EvaluateStage(code, "starlark", ctx);
    if (!stage) state.SkipWithError(stage.error().ToString().c_str());
    benchmark::DoNotOptimize(stage);
  }
}
BENCHMARK(BM_Typical200LineStage)->Unit(benchmark::kMicrosecond);

// The same without the module cache: parse, resolve and run the top level every time (what a
// save or a first run of new code costs).
void BM_Typical200LineStageCold(benchmark::State& state) {
  std::string code = TypicalStage();
  Json ctx = SampleContext();
  SourceOptions options;
  options.cache_modules = false;
  for (auto _ : state) benchmark::DoNotOptimize(EvaluateStage(code, "starlark", ctx, options));
}
BENCHMARK(BM_Typical200LineStageCold)->Unit(benchmark::kMicrosecond);

// The parts: the Starlark evaluation alone, and the validation alone.
void BM_Typical200LineStageSourceOnly(benchmark::State& state) {
  std::string code = TypicalStage();
  Json ctx = SampleContext();
  SourceOptions options;
  options.cache_modules = false;
  for (auto _ : state) benchmark::DoNotOptimize(EvaluateSource(code, "starlark", ctx, options));
}
BENCHMARK(BM_Typical200LineStageSourceOnly)->Unit(benchmark::kMicrosecond);

void BM_Typical200LineStageValidateOnly(benchmark::State& state) {
  Json raw = *EvaluateSource(TypicalStage(), "starlark", SampleContext());
  for (auto _ : state) benchmark::DoNotOptimize(ValidateStage(raw));
}
BENCHMARK(BM_Typical200LineStageValidateOnly)->Unit(benchmark::kMicrosecond);

const char* kFanOut = R"(def stage(ctx):
    jobs = []
    for i in range(10000):
        jobs.append({"name": "test %d" % i,
                     "steps": [{"tool": "shell", "cmd": "run-test %d" % i}],
                     "environments": [{"system": "any", "agents_group": "all"}]})
    return {"parent": "root", "triggers": {"parent": True}, "jobs": jobs}
)";

void BM_FanOut10000Jobs(benchmark::State& state) {
  Json ctx = SampleContext();
  SourceOptions options;
  for (auto _ : state) {
    auto stage = EvaluateStage(kFanOut, "starlark", ctx, options);
    if (!stage || stage->def.jobs.size() != 10000) state.SkipWithError("fan-out failed");
    benchmark::DoNotOptimize(stage);
  }
}
BENCHMARK(BM_FanOut10000Jobs)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kraken::workflow

BENCHMARK_MAIN();
