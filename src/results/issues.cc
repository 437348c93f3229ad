#include "results/issues.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

namespace kraken::results {
namespace {

// Path, symbol and message joined by NULs, which none of them holds.
std::string MatchKey(const Issue& issue) {
  std::string key;
  key.reserve(issue.path.size() + issue.symbol.size() + issue.message.size() + 2);
  key.append(issue.path).push_back('\0');
  key.append(issue.symbol).push_back('\0');
  key.append(issue.message);
  return key;
}

}  // namespace

std::optional<IssueType> IssueTypeFromName(std::string_view name) {
  if (name == "error" || name == "fatal") return IssueType::kError;
  if (name == "warning") return IssueType::kWarning;
  if (name == "convention" || name == "info") return IssueType::kConvention;
  if (name == "refactor") return IssueType::kRefactor;
  return std::nullopt;
}

void AgeIssues(std::span<Issue> current, std::span<const Issue> previous) {
  // Previous issues by key, each group sorted by line.
  std::unordered_map<std::string, std::vector<const Issue*>> by_key;
  for (const Issue& issue : previous) by_key[MatchKey(issue)].push_back(&issue);
  auto by_line = [](const Issue* a, const Issue* b) { return a->line < b->line; };
  for (auto& [key, group] : by_key) std::stable_sort(group.begin(), group.end(), by_line);

  // Visit current issues in line order and give each the first unmatched candidate within
  // reach: matches then keep the line order, so a block of identical issues that moved
  // together (lines inserted above it) pairs up one to one instead of crosswise.
  std::vector<Issue*> order;
  order.reserve(current.size());
  for (Issue& issue : current) order.push_back(&issue);
  std::stable_sort(order.begin(), order.end(), by_line);

  for (Issue* issue : order) {
    issue->age = 1;
    auto it = by_key.find(MatchKey(*issue));
    if (it == by_key.end()) continue;
    std::vector<const Issue*>& group = it->second;
    auto candidate = std::lower_bound(group.begin(), group.end(), issue->line - kIssueLineTolerance,
                                      [](const Issue* a, int line) { return a->line < line; });
    if (candidate == group.end() || (*candidate)->line > issue->line + kIssueLineTolerance) {
      continue;
    }
    issue->age = (*candidate)->age + 1;
    group.erase(candidate);
  }
}

IssueCounters CountIssues(std::span<const Issue> issues) {
  IssueCounters counters;
  for (const Issue& issue : issues) {
    ++counters.total;
    if (issue.age <= 1) ++counters.new_issues;
  }
  return counters;
}

}  // namespace kraken::results
