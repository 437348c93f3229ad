// TestStatus: the outcome of one test case in one job, with the numeric codes stored in the
// database and sent by agents (0 not-run … 5 unsupported). Plain values, thread-safe.
#ifndef KRAKEN_RESULTS_STATUS_H_
#define KRAKEN_RESULTS_STATUS_H_

#include <optional>
#include <string_view>

namespace kraken::results {

enum class TestStatus : int {
  kNotRun = 0,
  kPassed = 1,
  kFailed = 2,
  kError = 3,
  kDisabled = 4,
  kUnsupported = 5,
};

// Lower-case name used in the API and the UI: "not-run", "passed", "failed", ...
std::string_view StatusName(TestStatus status);

// The status for a stored or transmitted code, or nullopt when the code is out of range.
std::optional<TestStatus> StatusFromCode(int code);

// Failed and error both mean the test ran and did not pass; the other non-passed statuses
// (not-run, disabled, unsupported) mean it gave no verdict.
inline bool IsFailing(TestStatus status) {
  return status == TestStatus::kFailed || status == TestStatus::kError;
}

}  // namespace kraken::results

#endif  // KRAKEN_RESULTS_STATUS_H_
