// The `rndtest` tool: generates `count` test results for demos and benchmarks. Test i is
// stable (passes), flaky (passes or fails at random per flow), failing (always fails),
// disabled, or carries metric values, by i modulo 20, so the same tests behave the same way
// in every flow and the analysis has real histories to chew on.
#include <fmt/format.h>

#include <optional>
#include <random>

#include "agent/tools/tool_util.h"

namespace kraken::tools {
namespace {

StepOutcome RunRndtest(const Json& fields, ToolContext& ctx) {
  auto count = IntField(fields, "count", 10);
  if (!count || *count < 0 || *count > 10'000'000)
    return StepOutcome::Error("count: must be an integer from 0 to 10000000");
  // Default seed: the flow number, so each flow differs and reruns of one flow agree.
  int64_t default_seed = 1;
  if (ctx.env.contains("KK_FLOW_SEQ") && ctx.env["KK_FLOW_SEQ"].is_string())
    default_seed = std::atoll(ctx.env["KK_FLOW_SEQ"].get<std::string>().c_str());
  auto seed = IntField(fields, "seed", default_seed);
  if (!seed) return StepOutcome::Error("seed: " + seed.error().message);
  // `override_result`: every result gets this status (a demo of an all-green or all-red run).
  auto override_name = StringField(fields, "override_result");
  if (!override_name)
    return StepOutcome::Error("override_result: " + override_name.error().message);
  std::optional<results::TestStatus> override_status;
  if (!override_name->empty()) {
    for (int code = 0; code <= 5; ++code)
      if (auto st = results::StatusFromCode(code); st && results::StatusName(*st) == *override_name)
        override_status = st;
    if (!override_status)
      return StepOutcome::Error("override_result: not a result status: " + *override_name);
  }
  std::mt19937_64 rng(static_cast<uint64_t>(*seed));
  std::uniform_real_distribution<double> unit(0, 1);
  for (int64_t i = 0; i < *count; ++i) {
    if (i % 1000 == 0 && ctx.cancel && ctx.cancel->cancelled())
      return StepOutcome{false, -1, "cancelled", ""};
    results::ResultRecord r;
    r.test = fmt::format("rnd.suite{}::test_{}", i / 100, i);
    r.duration_seconds = 0.001 * static_cast<double>(i % 50);
    switch (i % 20) {
      case 7:  // flaky
        r.status = unit(rng) < 0.5 ? results::TestStatus::kPassed : results::TestStatus::kFailed;
        break;
      case 13:  // failing
        r.status = results::TestStatus::kFailed;
        r.message = fmt::format("assertion failed: expected {} got {}", i, i + 1);
        break;
      case 17:
        r.status = results::TestStatus::kDisabled;
        break;
      case 19: {  // a benchmark with values
        r.status = results::TestStatus::kPassed;
        double v = 100 + 10 * unit(rng);
        r.values = Json{
            {"latency_ms", {{"value", v}, {"median", v - 1}, {"stddev", 2.5}, {"iterations", 20}}}};
        break;
      }
      default:
        r.status = results::TestStatus::kPassed;
    }
    if (override_status) r.status = *override_status;
    if (r.status == results::TestStatus::kFailed && r.message.empty()) r.message = "flaky failure";
    ctx.reporter->Result(std::move(r));
  }
  ctx.Log(fmt::format("rndtest: {} results generated (seed {})\n", *count, *seed));
  return StepOutcome::Done();
}

}  // namespace

ToolSpec RndtestTool() {
  return ToolSpec{
      "rndtest",
      "Generates random test results: stable, flaky, failing, with values.",
      {{"count", "integer|string", "How many results", 10},
       {"seed", "integer|string", "Random seed (default: the flow number)"},
       {"override_result", "string", "Give every result this status (passed, failed, ...)"}},
      RunRndtest};
}

}  // namespace kraken::tools
