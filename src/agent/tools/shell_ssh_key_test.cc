// The shell tool's `ssh-key`: the command runs under a real ssh-agent holding the key.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "agent/tools/tool_test_fixture.h"

namespace kraken::tools {
namespace {

namespace fs = std::filesystem;

class ShellSshKeyTest : public ToolTest {
 protected:
  // A fresh ed25519 key pair made by ssh-keygen: {private key text, public key line}.
  std::pair<std::string, std::string> MakeKey() {
    std::string base = (dir_ / "k").string();
    std::string command = "ssh-keygen -q -t ed25519 -N '' -C step-key -f " + base;
    EXPECT_EQ(std::system(command.c_str()), 0);
    std::ifstream priv(base), pub(base + ".pub");
    std::stringstream a, b;
    a << priv.rdbuf();
    b << pub.rdbuf();
    return {a.str(), b.str()};
  }

  static Json Fields(const std::string& cmd, const std::string& key) {
    return Json{
        {"cmd", cmd},
        {"ssh-key", "deploy"},
        {"#secrets", {{"ssh-key", {{"name", "deploy"}, {"username", "git"}, {"key", key}}}}}};
  }
};

TEST_F(ShellSshKeyTest, TheCommandRunsUnderAnSshAgentHoldingTheKey) {
  auto [key, pub] = MakeKey();
  StepOutcome out =
      Run("shell", Fields("ssh-add -L > keys.txt && echo \"SOCK=$SSH_AUTH_SOCK\"", key));
  ASSERT_TRUE(out.ok) << out.message << "\n" << log_;
  // The agent holds exactly the step's key.
  std::string listed = Read("keys.txt");
  std::string key_body = pub.substr(0, pub.find(" step-key"));
  EXPECT_NE(listed.find(key_body), std::string::npos) << listed << " vs " << pub;
  // Neither the socket nor the key file outlives the step.
  size_t at = log_.find("SOCK=");
  ASSERT_NE(at, std::string::npos) << log_;
  std::string sock = log_.substr(at + 5, log_.find('\n', at) - at - 5);
  ASSERT_FALSE(sock.empty());
  EXPECT_FALSE(fs::exists(fs::path(sock).parent_path())) << sock;
}

TEST_F(ShellSshKeyTest, AKeySshAddRefusesFailsTheStepNamingTheSecret) {
  StepOutcome out = Run("shell", Fields("echo never-run", "not a key"));
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(log_.find("never-run"), std::string::npos) << log_;
  EXPECT_NE(log_.find("ssh-add refused the key of secret deploy"), std::string::npos) << log_;
}

TEST_F(ShellSshKeyTest, AKeyTheServerDidNotGiveFailsTheStep) {
  StepOutcome out = Run("shell", Json{{"cmd", "true"}, {"ssh-key", "deploy"}});
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.message.find("ssh-key: the value of secret 'deploy' was not given"),
            std::string::npos)
      << out.message;
}

}  // namespace
}  // namespace kraken::tools
