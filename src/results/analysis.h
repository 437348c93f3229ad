// Test history analysis: classifies each new test result against the earlier results of the
// same test (same branch, agents group and system) and sums up the run.
//
// For one result, with H the earlier results newest first and at most kHistoryWindow of them:
//   change       new when H is empty; fix when H[0] did not pass and this passes; regression
//                when H[0] passed and this failed or erred (a passed test that is now disabled
//                or not run is no change: it gave no verdict); otherwise no change.
//   age          consecutive runs, this one included, with exactly this status:
//                H[0].age + 1 when H[0] has the same status, else 1. It grows past the window
//                because each stored result carries its own age. (Kraken CI stored one
//                less: 0 for a result whose status just changed.)
//   instability  status changes along [this, H[0], ..., H[9]]: 0 to 10.
//   flaky        the test both passed and failed (or erred) in that window and flipped between
//                the two at least kFlakyMinFlips times. Not-run, disabled and unsupported
//                results are left out of this count: toggling a test off and on is not
//                flakiness. One flip is a regression or a fix, two a fix that did not hold
//                or a one-off; three in eleven runs is a pattern. flip_rate is those flips /
//                (verdicts - 1).
//   relevancy    0-6, one point each for: not passed; not root-caused; failed; instability
//                <= 3; age < 5; regression. A stable, recent, unexplained regression scores
//                highest, noise scores lowest.
//
// A flaky test keeps its change code, but the run counters count its fix or regression under
// `flaky` instead, so a badge or a commit status does not turn red on noise, while a first
// failure after a long pass streak (one flip) is a plain regression.
//
// DEV flows are analysed with the same functions: their HistorySource returns the CI results
// of the branch, and DEV results are never added to that history.
//
// Pure functions; thread-safe as long as the HistorySource's Find is.
#ifndef KRAKEN_RESULTS_ANALYSIS_H_
#define KRAKEN_RESULTS_ANALYSIS_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "results/status.h"

namespace kraken::results {

// Codes as stored with each result.
enum class Change : int { kNoChange = 0, kFix = 1, kRegression = 2, kNew = 3 };

// State of the comment thread attached to a test on a branch.
enum class CommentState : int { kNew = 0, kInvestigating = 1, kBugInProduct = 2, kBugInTest = 3 };

// A failure is root-caused once someone has said where the bug is.
inline bool IsRootCaused(CommentState state) {
  return state == CommentState::kBugInProduct || state == CommentState::kBugInTest;
}

inline constexpr int kHistoryWindow = 10;
inline constexpr int kFlakyMinFlips = 3;

// An earlier result of a test, as stored after its own analysis.
struct PastResult {
  TestStatus status = TestStatus::kNotRun;
  int age = 1;
};

struct AnalyzedResult {
  TestStatus status = TestStatus::kNotRun;
  Change change = Change::kNew;
  int age = 1;
  int instability = 0;
  int relevancy = 0;
  bool flaky = false;
  double flip_rate = 0;
};

// Analyses one result. history is newest first; entries past kHistoryWindow are ignored.
AnalyzedResult AnalyzeResult(TestStatus status, std::span<const PastResult> history,
                             bool root_caused);

// Where earlier results come from. The caller scopes it: for a CI run, the CI history of one
// branch, agents group and system; for a DEV run, that same CI history.
class HistorySource {
 public:
  virtual ~HistorySource() = default;
  // Earlier results of test, newest first; empty when the test has none. The span stays
  // valid while the source is alive and unmodified.
  virtual std::span<const PastResult> Find(std::string_view test) const = 0;
};

struct NewResult {
  std::string test;
  TestStatus status = TestStatus::kNotRun;
  bool root_caused = false;  // see IsRootCaused
};

struct RunCounters {
  int total = 0;
  int passed = 0;
  int not_run = 0;
  int new_tests = 0;
  int fixes = 0;        // of tests not flagged flaky
  int regressions = 0;  // of tests not flagged flaky
  int no_change = 0;
  int flaky = 0;
};

struct RunAnalysis {
  std::vector<AnalyzedResult> results;  // results[i] belongs to batch[i]
  RunCounters counters;
};

// Analyses the results of one job (so one agents group and system, which history is scoped
// to): one Find per result, nothing else allocated per test.
RunAnalysis AnalyzeRun(std::span<const NewResult> batch, const HistorySource& history);

}  // namespace kraken::results

#endif  // KRAKEN_RESULTS_ANALYSIS_H_
