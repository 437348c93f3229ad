// The shell tool keeps a secret interpolated into `cmd` off the command line: the command
// travels in the environment and the shell's command line shows only a reference to it.
#include <gtest/gtest.h>

#include <filesystem>

#include "agent/tools/tool_test_fixture.h"

namespace kraken::tools {
namespace {

constexpr char kSecret[] = "s3cr3t-4f9a1c";

class ShellSecretCmdTest : public ToolTest {};

TEST_F(ShellSecretCmdTest, ASecretInCmdIsNotOnAnyCommandLine) {
  ctx_.secrets = {kSecret};
  // The running shell and a child write their own command lines (NULs as spaces); the
  // command still sees the value, and exits as it says.
  std::string cmd = std::string("TOKEN='") + kSecret +
                    "'; tr '\\0' ' ' < /proc/$$/cmdline > shell.txt; "
                    "sh -c 'tr \"\\0\" \" \" < /proc/$$/cmdline; env' > child.txt; "
                    "echo \"$TOKEN\" > value.txt; exit 3";
  StepOutcome out = Run("shell", Json{{"cmd", cmd}});
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.reason, "exit-code") << out.message;
  std::string shell = Read("shell.txt");
  EXPECT_FALSE(shell.empty());
  EXPECT_EQ(shell.find(kSecret), std::string::npos) << shell;
  EXPECT_NE(shell.find("KK_STEP_CMD"), std::string::npos) << shell;
  // Nor do the commands the shell starts inherit the text in their environment.
  std::string child = Read("child.txt");
  EXPECT_EQ(child.find(kSecret), std::string::npos) << child;
  EXPECT_EQ(Read("value.txt"), std::string(kSecret) + "\n");
}

TEST_F(ShellSecretCmdTest, ACmdWithoutSecretsRunsAsBefore) {
  ctx_.secrets = {kSecret};
  StepOutcome out = Run("shell", Json{{"cmd", "tr '\\0' ' ' < /proc/$$/cmdline > shell.txt"}});
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_NE(Read("shell.txt").find("tr '\\0' ' '"), std::string::npos) << Read("shell.txt");
}

TEST_F(ShellSecretCmdTest, ACmdWithASecretForAnotherShellIsReadFromAPrivateFile) {
  ctx_.secrets = {kSecret};
  std::string cmd = std::string("TOKEN='") + kSecret +
                    "'; tr '\\0' ' ' < /proc/$$/cmdline > shell.txt; "
                    "stat -c %a \"$0\" > mode.txt; echo \"$TOKEN\" > value.txt";
  StepOutcome out = Run("shell", Json{{"cmd", cmd}, {"shell_exe", "/bin/bash"}});
  ASSERT_TRUE(out.ok) << out.message;
  std::string shell = Read("shell.txt");
  EXPECT_NE(shell.find("/bin/bash"), std::string::npos) << shell;
  EXPECT_EQ(shell.find(kSecret), std::string::npos) << shell;
  EXPECT_EQ(Read("mode.txt"), "600\n");
  EXPECT_EQ(Read("value.txt"), std::string(kSecret) + "\n");
}

TEST_F(ShellSecretCmdTest, AScriptIsPrivateToTheStepAndGoneAfterIt) {
  StepOutcome out =
      Run("shell", Json{{"script", "stat -c %a \"$0\" > mode.txt\necho \"$0\" > path.txt"}});
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_EQ(Read("mode.txt"), "600\n");
  std::string path = Read("path.txt");
  ASSERT_FALSE(path.empty());
  path.pop_back();
  EXPECT_FALSE(std::filesystem::exists(path)) << path;
}

}  // namespace
}  // namespace kraken::tools
