#include "results/status.h"

namespace kraken::results {

std::string_view StatusName(TestStatus status) {
  switch (status) {
    case TestStatus::kNotRun:
      return "not-run";
    case TestStatus::kPassed:
      return "passed";
    case TestStatus::kFailed:
      return "failed";
    case TestStatus::kError:
      return "error";
    case TestStatus::kDisabled:
      return "disabled";
    case TestStatus::kUnsupported:
      return "unsupported";
  }
  return "unknown";
}

std::optional<TestStatus> StatusFromCode(int code) {
  if (code < static_cast<int>(TestStatus::kNotRun) ||
      code > static_cast<int>(TestStatus::kUnsupported)) {
    return std::nullopt;
  }
  return static_cast<TestStatus>(code);
}

}  // namespace kraken::results
