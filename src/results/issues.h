// Lint issues (pylint, ng lint, ...) and their age: how many consecutive runs of the same job
// have reported the same issue.
//
// An issue of this run is the same issue as one of the previous run when path, symbol and
// message are equal and the lines are at most kIssueLineTolerance apart, so editing code
// above an issue does not make it look new. Each previous issue is matched at most once, so
// two identical issues stay two; identical issues pair up in line order. The type is not
// compared: a linter derives it from the symbol. Age is the previous age + 1, or 1 for a new
// issue.
//
// Pure functions; thread-safe.
#ifndef KRAKEN_RESULTS_ISSUES_H_
#define KRAKEN_RESULTS_ISSUES_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kraken::results {

// Codes as stored.
enum class IssueType : int { kError = 0, kWarning = 1, kConvention = 2, kRefactor = 3 };

// "error", "warning", "convention", "refactor"; pylint's "fatal" reads as error and its
// "info" as convention. nullopt for anything else.
std::optional<IssueType> IssueTypeFromName(std::string_view name);

struct Issue {
  std::string path;
  int line = 0;
  int column = 0;
  std::string symbol;  // e.g. "unused-import"
  std::string message;
  IssueType type = IssueType::kWarning;
  int age = 1;
};

inline constexpr int kIssueLineTolerance = 5;

// Sets the age of every issue in current from its match in previous (the issues of the
// previous run of the same job, with their ages).
void AgeIssues(std::span<Issue> current, std::span<const Issue> previous);

struct IssueCounters {
  int total = 0;
  int new_issues = 0;  // age 1
};

IssueCounters CountIssues(std::span<const Issue> issues);

}  // namespace kraken::results

#endif  // KRAKEN_RESULTS_ISSUES_H_
