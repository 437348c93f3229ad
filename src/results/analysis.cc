#include "results/analysis.h"

#include <algorithm>

namespace kraken::results {
namespace {

Change ChangeFrom(TestStatus previous, TestStatus current) {
  if (current == TestStatus::kPassed && previous != TestStatus::kPassed) return Change::kFix;
  if (previous == TestStatus::kPassed && IsFailing(current)) return Change::kRegression;
  return Change::kNoChange;
}

int Relevancy(const AnalyzedResult& result, bool root_caused) {
  int relevancy = 0;
  if (result.status != TestStatus::kPassed) ++relevancy;
  if (!root_caused) ++relevancy;
  if (result.status == TestStatus::kFailed) ++relevancy;
  if (result.instability <= 3) ++relevancy;
  if (result.age < 5) ++relevancy;
  if (result.change == Change::kRegression) ++relevancy;
  return relevancy;
}

}  // namespace

AnalyzedResult AnalyzeResult(TestStatus status, std::span<const PastResult> history,
                             bool root_caused) {
  history = history.first(std::min<size_t>(history.size(), kHistoryWindow));
  AnalyzedResult result;
  result.status = status;
  if (history.empty()) {
    result.change = Change::kNew;
  } else {
    const PastResult& previous = history.front();
    result.change = ChangeFrom(previous.status, status);
    result.age = previous.status == status ? std::max(previous.age, 1) + 1 : 1;
  }

  // Walk [status, history...] once, counting any status change for instability and
  // pass/fail changes between verdicts for flakiness.
  TestStatus last = status;
  bool has_verdict = status == TestStatus::kPassed || IsFailing(status);
  bool last_verdict_passed = status == TestStatus::kPassed;
  int verdicts = has_verdict ? 1 : 0;
  int verdict_flips = 0;
  for (const PastResult& past : history) {
    if (past.status != last) ++result.instability;
    last = past.status;
    if (past.status != TestStatus::kPassed && !IsFailing(past.status)) continue;
    bool passed = past.status == TestStatus::kPassed;
    if (has_verdict && passed != last_verdict_passed) ++verdict_flips;
    has_verdict = true;
    last_verdict_passed = passed;
    ++verdicts;
  }
  result.flaky = verdict_flips >= kFlakyMinFlips;
  result.flip_rate = verdicts > 1 ? static_cast<double>(verdict_flips) / (verdicts - 1) : 0;
  result.relevancy = Relevancy(result, root_caused);
  return result;
}

RunAnalysis AnalyzeRun(std::span<const NewResult> batch, const HistorySource& history) {
  RunAnalysis run;
  run.results.reserve(batch.size());
  RunCounters& counters = run.counters;
  for (const NewResult& next : batch) {
    const AnalyzedResult& result = run.results.emplace_back(
        AnalyzeResult(next.status, history.Find(next.test), next.root_caused));
    ++counters.total;
    if (result.status == TestStatus::kPassed) ++counters.passed;
    if (result.status == TestStatus::kNotRun) ++counters.not_run;
    if (result.flaky) ++counters.flaky;
    switch (result.change) {
      case Change::kNew:
        ++counters.new_tests;
        break;
      case Change::kFix:
        if (!result.flaky) ++counters.fixes;
        break;
      case Change::kRegression:
        if (!result.flaky) ++counters.regressions;
        break;
      case Change::kNoChange:
        ++counters.no_change;
        break;
    }
  }
  return run;
}

}  // namespace kraken::results
