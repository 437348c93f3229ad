// The git tool against real repositories on the local file system.
#include <gtest/gtest.h>

#include <cstdlib>

#include "agent/tools/tool_test_fixture.h"

namespace kraken::tools {
namespace {

class GitToolTest : public ToolTest {
 protected:
  void SetUp() override {
    ToolTest::SetUp();
    repo_ = (dir_ / "origin").string();
    Sh("git init -q -b main " + repo_);
    first_ = Commit("1");
    second_ = Commit("2");
    url_ = "file://" + repo_;
  }
  void Sh(const std::string& command) { ASSERT_EQ(std::system(command.c_str()), 0) << command; }
  // Commits version.txt = `text` on main; returns the commit id.
  std::string Commit(const std::string& text) {
    std::ofstream(repo_ + "/version.txt") << text;
    std::string git = "git -C " + repo_ + " -c user.name=t -c user.email=t@example.com ";
    EXPECT_EQ(std::system((git + "add version.txt && " + git + "commit -q -m v" + text).c_str()),
              0);
    std::string sha;
    FILE* p = popen(("git -C " + repo_ + " rev-parse HEAD").c_str(), "r");
    char buf[128] = {};
    if (p && fgets(buf, sizeof buf, p)) sha = buf;
    if (p) pclose(p);
    while (!sha.empty() && sha.back() == '\n') sha.pop_back();
    return sha;
  }
  void Triggered(const Json& commits) { ctx_.env["KK_TRIGGER_COMMITS"] = commits.dump(); }

  std::string repo_, url_, first_, second_;
};

TEST_F(GitToolTest, WithoutATriggerCommitTheBranchHeadIsCheckedOut) {
  StepOutcome out = Run("git", Json{{"checkout", url_}, {"branch", "main"}});
  ASSERT_TRUE(out.ok) << out.message << log_;
  EXPECT_EQ(Read("origin/version.txt"), "2");
  EXPECT_NE(log_.find("git: at " + second_), std::string::npos) << log_;
}

TEST_F(GitToolTest, TheCommitThatTriggeredTheFlowIsCheckedOut) {
  // The branch moved on (second_) after the commit that triggered the flow (first_).
  Triggered(Json::array({Json{{"url", url_ + ".git/"}, {"branch", "main"}, {"commit", first_}}}));
  StepOutcome out =
      Run("git", Json{{"checkout", url_}, {"branch", "main"}, {"destination", "src"}});
  ASSERT_TRUE(out.ok) << out.message << log_;
  EXPECT_EQ(Read("src/version.txt"), "1");
  EXPECT_NE(log_.find("git: at " + first_), std::string::npos) << log_;
  // On the branch, not a detached head: tools that read the branch name still can.
  std::string head;
  FILE* p = popen(("git -C " + ctx_.workspace + "/src rev-parse --abbrev-ref HEAD").c_str(), "r");
  char buf[128] = {};
  if (p && fgets(buf, sizeof buf, p)) head = buf;
  if (p) pclose(p);
  EXPECT_EQ(head, "main\n");
}

TEST_F(GitToolTest, ATriggerOfAnotherRepositoryOrBranchFallsBackToTheHead) {
  Triggered(
      Json::array({Json{{"url", "file:///elsewhere/repo"}, {"branch", "main"}, {"commit", first_}},
                   Json{{"url", url_}, {"branch", "release"}, {"commit", first_}}}));
  StepOutcome out = Run("git", Json{{"checkout", url_}, {"branch", "main"}});
  ASSERT_TRUE(out.ok) << out.message << log_;
  EXPECT_EQ(Read("origin/version.txt"), "2");
}

TEST_F(GitToolTest, ATriggerCommitMissingFromTheRepositoryFailsTheStep) {
  Triggered(Json::array({Json{{"url", url_}, {"branch", ""}, {"commit", std::string(40, 'a')}}}));
  StepOutcome out = Run("git", Json{{"checkout", url_}});
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.reason, "exit-code");
}

// The agent brings no git of its own: a machine without one fails the step saying so.
TEST_F(GitToolTest, AMachineWithoutGitFailsTheStepSayingToInstallIt) {
  ctx_.env["PATH"] = (dir_ / "empty-bin").string();
  StepOutcome out = Run("git", {{"checkout", url_}});
  EXPECT_EQ(out.reason, "agent-error");
  EXPECT_NE(
      out.message.find("git not found on this machine: install it in the group's init script"),
      std::string::npos)
      << out.message;
}

}  // namespace
}  // namespace kraken::tools
