#include "exec/trigger_commits.h"

#include <gtest/gtest.h>

namespace kraken::exec {
namespace {

TEST(TriggerCommitsTest, ReadsTheCommitsARepoTriggerRecordedInItsRun) {
  kraken::Run root, child, manual;
  root.reason = Json{
      {"reason", "commit to repo"},
      {"commits",
       Json::array({Json{{"repo", "file:///srv/app.git#main"}, {"before", "aaa"}, {"after", "bbb"}},
                    Json{{"repo", "https://x/lib#"}, {"before", ""}, {"after", "ccc"}}})}};
  child.reason = Json{{"reason", "parent"}};
  manual.reason = Json::object();
  Json commits = TriggerCommits({root, child, manual});
  EXPECT_EQ(commits, Json::parse(R"([
    {"url": "file:///srv/app.git", "branch": "main", "commit": "bbb"},
    {"url": "https://x/lib", "branch": "", "commit": "ccc"}])"));
}

TEST(TriggerCommitsTest, AFlowNotStartedByACommitHasNone) {
  kraken::Run run;
  run.reason = Json{{"reason", "flow start"}};
  EXPECT_TRUE(TriggerCommits({run}).empty());
  run.reason = Json{{"commits", "not a list"}};
  EXPECT_TRUE(TriggerCommits({run}).empty());
}

}  // namespace
}  // namespace kraken::exec
