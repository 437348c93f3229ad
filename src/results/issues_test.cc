#include "results/issues.h"

#include <gtest/gtest.h>

#include <vector>

namespace kraken::results {
namespace {

Issue MakeIssue(std::string path, int line, std::string symbol, std::string message, int age = 1) {
  Issue issue;
  issue.path = std::move(path);
  issue.line = line;
  issue.symbol = std::move(symbol);
  issue.message = std::move(message);
  issue.age = age;
  return issue;
}

TEST(IssuesTest, NewIssueHasAgeOne) {
  std::vector<Issue> current = {MakeIssue("a.py", 10, "unused-import", "Unused import os")};
  AgeIssues(current, {});
  EXPECT_EQ(current[0].age, 1);
}

TEST(IssuesTest, SameIssueWithinFiveLinesInheritsAge) {
  std::vector<Issue> previous = {MakeIssue("a.py", 10, "unused-import", "Unused import os", 3)};
  for (int line : {5, 10, 15}) {
    std::vector<Issue> current = {MakeIssue("a.py", line, "unused-import", "Unused import os")};
    AgeIssues(current, previous);
    EXPECT_EQ(current[0].age, 4) << "line " << line;
  }
  for (int line : {4, 16}) {
    std::vector<Issue> current = {MakeIssue("a.py", line, "unused-import", "Unused import os")};
    AgeIssues(current, previous);
    EXPECT_EQ(current[0].age, 1) << "line " << line;
  }
}

TEST(IssuesTest, PathSymbolAndMessageMustAllMatch) {
  std::vector<Issue> previous = {MakeIssue("a.py", 10, "unused-import", "Unused import os", 3)};
  std::vector<Issue> current = {
      MakeIssue("b.py", 10, "unused-import", "Unused import os"),
      MakeIssue("a.py", 10, "unused-variable", "Unused import os"),
      MakeIssue("a.py", 10, "unused-import", "Unused import sys"),
  };
  AgeIssues(current, previous);
  for (const Issue& issue : current) EXPECT_EQ(issue.age, 1);
}

TEST(IssuesTest, EachPreviousIssueMatchesOnce) {
  std::vector<Issue> previous = {MakeIssue("a.py", 10, "line-too-long", "Line too long", 7)};
  std::vector<Issue> current = {
      MakeIssue("a.py", 11, "line-too-long", "Line too long"),
      MakeIssue("a.py", 12, "line-too-long", "Line too long"),
  };
  AgeIssues(current, previous);
  EXPECT_EQ(current[0].age, 8);
  EXPECT_EQ(current[1].age, 1);
}

TEST(IssuesTest, IdenticalIssuesPairUpInLineOrder) {
  std::vector<Issue> previous = {
      MakeIssue("a.py", 10, "bare-except", "No exception type", 2),
      MakeIssue("a.py", 14, "bare-except", "No exception type", 9),
  };
  // Four lines inserted above both: 10 -> 14 and 14 -> 18, although 14 also sits on an old
  // line.
  std::vector<Issue> current = {MakeIssue("a.py", 18, "bare-except", "No exception type"),
                                MakeIssue("a.py", 14, "bare-except", "No exception type")};
  AgeIssues(current, previous);
  EXPECT_EQ(current[1].age, 3);
  EXPECT_EQ(current[0].age, 10);
}

TEST(IssuesTest, ABlockOfIdenticalIssuesThatMovedKeepsItsAges) {
  // Three lines were inserted above the block.
  std::vector<Issue> previous = {
      MakeIssue("a.py", 20, "fixme", "TODO", 5),
      MakeIssue("a.py", 21, "fixme", "TODO", 2),
  };
  std::vector<Issue> current = {
      MakeIssue("a.py", 24, "fixme", "TODO"),
      MakeIssue("a.py", 23, "fixme", "TODO"),
  };
  AgeIssues(current, previous);
  EXPECT_EQ(current[1].age, 6);  // line 23 was line 20
  EXPECT_EQ(current[0].age, 3);  // line 24 was line 21
}

TEST(IssuesTest, CountsNewIssues) {
  std::vector<Issue> issues = {MakeIssue("a", 1, "s", "m", 1), MakeIssue("a", 9, "s", "m", 4),
                               MakeIssue("b", 1, "s", "m", 1)};
  IssueCounters counters = CountIssues(issues);
  EXPECT_EQ(counters.total, 3);
  EXPECT_EQ(counters.new_issues, 2);
}

TEST(IssuesTest, TypeNames) {
  EXPECT_EQ(IssueTypeFromName("error"), IssueType::kError);
  EXPECT_EQ(IssueTypeFromName("fatal"), IssueType::kError);
  EXPECT_EQ(IssueTypeFromName("warning"), IssueType::kWarning);
  EXPECT_EQ(IssueTypeFromName("convention"), IssueType::kConvention);
  EXPECT_EQ(IssueTypeFromName("info"), IssueType::kConvention);
  EXPECT_EQ(IssueTypeFromName("refactor"), IssueType::kRefactor);
  EXPECT_EQ(IssueTypeFromName("Error"), std::nullopt);
}

}  // namespace
}  // namespace kraken::results
