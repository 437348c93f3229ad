#include "results/analysis.h"

#include <gtest/gtest.h>

#include <vector>

#include "results/history.h"

namespace kraken::results {
namespace {

constexpr TestStatus P = TestStatus::kPassed;
constexpr TestStatus F = TestStatus::kFailed;
constexpr TestStatus E = TestStatus::kError;
constexpr TestStatus D = TestStatus::kDisabled;
constexpr TestStatus N = TestStatus::kNotRun;

// Earlier results, newest first, with the ages their own analysis would have stored.
std::vector<PastResult> History(std::vector<TestStatus> newest_first) {
  std::vector<PastResult> history(newest_first.size());
  for (size_t i = newest_first.size(); i-- > 0;) {
    history[i].status = newest_first[i];
    bool continues = i + 1 < newest_first.size() && newest_first[i + 1] == newest_first[i];
    history[i].age = continues ? history[i + 1].age + 1 : 1;
  }
  return history;
}

AnalyzedResult Analyze(TestStatus status, std::vector<TestStatus> newest_first,
                       bool root_caused = false) {
  std::vector<PastResult> history = History(newest_first);
  return AnalyzeResult(status, history, root_caused);
}

TEST(AnalysisTest, NewTestWithoutHistory) {
  AnalyzedResult passed = Analyze(P, {});
  EXPECT_EQ(passed.change, Change::kNew);
  EXPECT_EQ(passed.age, 1);
  EXPECT_EQ(passed.instability, 0);
  EXPECT_FALSE(passed.flaky);
  // not root-caused + stable + young
  EXPECT_EQ(passed.relevancy, 3);

  AnalyzedResult failed = Analyze(F, {});
  EXPECT_EQ(failed.change, Change::kNew);
  // not passed + not root-caused + failed + stable + young
  EXPECT_EQ(failed.relevancy, 5);
}

TEST(AnalysisTest, RegressionAfterLongPassStreakIsNotFlaky) {
  AnalyzedResult result = Analyze(F, {P, P, P, P, P, P, P, P, P, P});
  EXPECT_EQ(result.change, Change::kRegression);
  EXPECT_EQ(result.age, 1);
  EXPECT_EQ(result.instability, 1);
  EXPECT_FALSE(result.flaky);
  EXPECT_DOUBLE_EQ(result.flip_rate, 0.1);
  EXPECT_EQ(result.relevancy, 6);
  EXPECT_EQ(Analyze(F, {P, P, P}, /*root_caused=*/true).relevancy, 5);
}

TEST(AnalysisTest, ErrorAfterPassIsARegression) {
  AnalyzedResult result = Analyze(E, {P, P});
  EXPECT_EQ(result.change, Change::kRegression);
  // No point for "failed": an error is not a failure.
  EXPECT_EQ(result.relevancy, 5);
}

TEST(AnalysisTest, PassedThenDisabledOrNotRunIsNoChange) {
  EXPECT_EQ(Analyze(D, {P, P}).change, Change::kNoChange);
  EXPECT_EQ(Analyze(N, {P, P}).change, Change::kNoChange);
}

TEST(AnalysisTest, FixWhenPassingAfterAnythingElse) {
  EXPECT_EQ(Analyze(P, {F, F, P}).change, Change::kFix);
  EXPECT_EQ(Analyze(P, {E}).change, Change::kFix);
  EXPECT_EQ(Analyze(P, {D}).change, Change::kFix);
  EXPECT_EQ(Analyze(P, {P, F}).change, Change::kNoChange);
  EXPECT_EQ(Analyze(F, {F, P}).change, Change::kNoChange);
  EXPECT_EQ(Analyze(E, {F, P}).change, Change::kNoChange);
}

TEST(AnalysisTest, AgeCountsConsecutiveRunsWithTheSameStatus) {
  EXPECT_EQ(Analyze(F, {F, F, F, P}).age, 4);
  EXPECT_EQ(Analyze(P, {F, F, F, P}).age, 1);
  EXPECT_EQ(Analyze(E, {F, F}).age, 1);  // a different status is a different state
  EXPECT_EQ(Analyze(D, {D}).age, 2);
}

TEST(AnalysisTest, AgeGrowsPastTheWindowFromTheStoredAge) {
  std::vector<PastResult> history(kHistoryWindow, PastResult{P, 1});
  history[0].age = 25;
  EXPECT_EQ(AnalyzeResult(P, history, false).age, 26);
}

TEST(AnalysisTest, InstabilityCountsStatusChangesInTheWindow) {
  EXPECT_EQ(Analyze(P, {P, P, P}).instability, 0);
  EXPECT_EQ(Analyze(P, {F, P, P}).instability, 2);
  EXPECT_EQ(Analyze(F, {E, D, N, P}).instability, 4);
  // [P, F, P, F, ...]: every pair differs, 10 changes over 11 results.
  EXPECT_EQ(Analyze(P, {F, P, F, P, F, P, F, P, F, P}).instability, 10);
}

TEST(AnalysisTest, OnlyTheLastTenEarlierResultsCount) {
  // Ten passes, then older noise that must be ignored.
  AnalyzedResult result = Analyze(P, {P, P, P, P, P, P, P, P, P, P, F, P, F, P, F});
  EXPECT_EQ(result.instability, 0);
  EXPECT_FALSE(result.flaky);
  EXPECT_EQ(result.change, Change::kNoChange);
}

TEST(AnalysisTest, FlakyTestFlipsBetweenPassAndFail) {
  AnalyzedResult result = Analyze(P, {F, P, P, F, P, P, P, F, P, P});
  EXPECT_TRUE(result.flaky);
  EXPECT_EQ(result.change, Change::kFix);
  EXPECT_EQ(result.instability, 6);
  EXPECT_DOUBLE_EQ(result.flip_rate, 0.6);
  // Unstable: no point for instability <= 3.
  EXPECT_EQ(result.relevancy, 2);
}

TEST(AnalysisTest, FlakyThresholdIsThreeFlips) {
  EXPECT_FALSE(Analyze(P, {F, P, P, P, P, P, P, P, P, P}).flaky);  // 2 flips
  EXPECT_TRUE(Analyze(F, {P, F, P, P, P, P, P, P, P, P}).flaky);   // 3 flips
  EXPECT_FALSE(Analyze(F, {E, F, E, F, E, F}).flaky);              // never passed
}

TEST(AnalysisTest, TogglingDisabledIsNotFlaky) {
  AnalyzedResult result = Analyze(D, {P, D, P, D, P, D, P});
  EXPECT_GE(result.instability, 6);
  EXPECT_FALSE(result.flaky);
  EXPECT_DOUBLE_EQ(result.flip_rate, 0);
  // Non-verdicts between a pass and a fail do not hide the flip.
  EXPECT_TRUE(Analyze(P, {N, F, D, P, N, F, P}).flaky);
}

TEST(AnalysisTest, RelevancyArithmetic) {
  struct Case {
    TestStatus status;
    std::vector<TestStatus> history;
    bool root_caused;
    int relevancy;
  };
  const Case cases[] = {
      // passed, stable for long: only "not root-caused" and "stable"
      {P, {P, P, P, P, P, P}, false, 2},
      {P, {P, P, P, P, P, P}, true, 1},
      // failing for 8 runs, explained: not passed + failed + stable
      {F, {F, F, F, F, F, F, F}, true, 3},
      // same, unexplained: +1
      {F, {F, F, F, F, F, F, F}, false, 4},
      // young error (age 2), unexplained: not passed + not root-caused + stable + young
      {E, {E, P, P}, false, 4},
      // disabled for long: not passed + not root-caused + stable
      {D, {D, D, D, D, D}, false, 3},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(StatusName(c.status));
    EXPECT_EQ(Analyze(c.status, c.history, c.root_caused).relevancy, c.relevancy);
  }
}

TEST(AnalysisTest, RootCausedCommentStates) {
  EXPECT_FALSE(IsRootCaused(CommentState::kNew));
  EXPECT_FALSE(IsRootCaused(CommentState::kInvestigating));
  EXPECT_TRUE(IsRootCaused(CommentState::kBugInProduct));
  EXPECT_TRUE(IsRootCaused(CommentState::kBugInTest));
}

void AddFlows(InMemoryHistory& history, const std::string& test,
              std::vector<TestStatus> newest_first) {
  for (const PastResult& past : History(newest_first)) history.Add(test, past);
}

TEST(AnalysisTest, RunCountersKeepFlakyTestsApartFromRegressions) {
  InMemoryHistory history;
  AddFlows(history, "fixed", {F, F});
  AddFlows(history, "regressed", {P, P, P, P});
  AddFlows(history, "flaky", {P, F, P, F, P});
  AddFlows(history, "steady", {P, P});
  AddFlows(history, "skipped", {N});
  std::vector<NewResult> batch = {
      {"fixed", P}, {"regressed", F}, {"flaky", F}, {"steady", P}, {"skipped", N}, {"brand_new", E},
  };
  RunAnalysis run = AnalyzeRun(batch, history);
  ASSERT_EQ(run.results.size(), batch.size());
  EXPECT_EQ(run.results[0].change, Change::kFix);
  EXPECT_EQ(run.results[1].change, Change::kRegression);
  EXPECT_FALSE(run.results[1].flaky);
  EXPECT_EQ(run.results[2].change, Change::kRegression);
  EXPECT_TRUE(run.results[2].flaky);
  EXPECT_EQ(run.results[5].change, Change::kNew);

  const RunCounters& counters = run.counters;
  EXPECT_EQ(counters.total, 6);
  EXPECT_EQ(counters.passed, 2);
  EXPECT_EQ(counters.not_run, 1);
  EXPECT_EQ(counters.new_tests, 1);
  EXPECT_EQ(counters.fixes, 1);
  EXPECT_EQ(counters.regressions, 1);  // the flaky one is left out
  EXPECT_EQ(counters.flaky, 1);
  EXPECT_EQ(counters.no_change, 2);
}

TEST(AnalysisTest, RootCausedFlagComesWithEachResult) {
  InMemoryHistory history;
  AddFlows(history, "t", {P});
  std::vector<NewResult> batch = {{"t", F, false}, {"t", F, true}};
  RunAnalysis run = AnalyzeRun(batch, history);
  EXPECT_EQ(run.results[0].relevancy, run.results[1].relevancy + 1);
}

// A DEV flow is analysed against the branch's CI history, which it leaves untouched.
TEST(AnalysisTest, DevFlowComparesAgainstCiHistory) {
  InMemoryHistory ci;
  AddFlows(ci, "a", {P, P, P});
  AddFlows(ci, "b", {F, F});

  std::vector<NewResult> dev = {{"a", F}, {"b", F}, {"c", P}};
  RunAnalysis dev_run = AnalyzeRun(dev, ci);
  EXPECT_EQ(dev_run.results[0].change, Change::kRegression);
  EXPECT_EQ(dev_run.results[1].change, Change::kNoChange);
  EXPECT_EQ(dev_run.results[1].age, 3);  // continues the CI age
  EXPECT_EQ(dev_run.results[2].change, Change::kNew);

  // The next CI run still compares with the last CI results, not with the DEV ones.
  std::vector<NewResult> next_ci = {{"a", P}};
  RunAnalysis ci_run = AnalyzeRun(next_ci, ci);
  EXPECT_EQ(ci_run.results[0].change, Change::kNoChange);
  EXPECT_EQ(ci_run.results[0].age, 4);
}

TEST(InMemoryHistoryTest, KeepsTheNewestTenPerTest) {
  InMemoryHistory history;
  for (int i = 0; i < 15; ++i) history.Add("t", PastResult{i % 2 ? F : P, 20 - i});
  std::span<const PastResult> found = history.Find("t");
  ASSERT_EQ(found.size(), static_cast<size_t>(kHistoryWindow));
  EXPECT_EQ(found.front().age, 20);
  EXPECT_EQ(found.back().age, 11);
  EXPECT_TRUE(history.Find("unknown").empty());
  EXPECT_EQ(history.size(), 1u);
}

}  // namespace
}  // namespace kraken::results
