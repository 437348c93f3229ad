// The pylint tool with Debian's real pylint.
#include <gtest/gtest.h>
#include <unistd.h>

#include "agent/tools/tool_test_fixture.h"

namespace kraken::tools {
namespace {

class PylintToolTest : public ToolTest {
 protected:
  void SetUp() override {
    ToolTest::SetUp();
    if (access("/usr/bin/pylint", X_OK) != 0) GTEST_SKIP() << "pylint is not installed";
  }
  const Json* IssueWith(const std::string& symbol) {
    for (const Json& i : rec_.issues)
      if (i["symbol"] == symbol) return &i;
    return nullptr;
  }
};

TEST_F(PylintToolTest, ReportsEachMessageAsAnIssue) {
  Write("pkg/app.py",
        "\"\"\"An app.\"\"\"\nimport os\n\n\ndef main():\n    \"\"\"Main.\"\"\"\n    return "
        "undefined_name\n");
  StepOutcome out = Run(
      "pylint",
      Json{{"modules_or_packages", "app.py"}, {"cwd", "pkg"}, {"pylint_exe", "/usr/bin/pylint"}});
  ASSERT_TRUE(out.ok) << out.message << log_;  // issues are findings, not a failed step
  const Json* unused = IssueWith("unused-import");
  ASSERT_NE(unused, nullptr) << Json(rec_.issues).dump();
  EXPECT_EQ((*unused)["path"], "app.py");
  EXPECT_EQ((*unused)["line"], 2);
  EXPECT_EQ((*unused)["column"], 0);
  EXPECT_EQ((*unused)["type"], "warning");
  EXPECT_NE((*unused)["message"].get<std::string>().find("os"), std::string::npos);
  const Json* undefined = IssueWith("undefined-variable");
  ASSERT_NE(undefined, nullptr) << Json(rec_.issues).dump();
  EXPECT_EQ((*undefined)["type"], "error");
  EXPECT_EQ((*undefined)["line"], 7);
  EXPECT_NE(log_.find("pylint: 2 issues reported"), std::string::npos) << log_;
}

TEST_F(PylintToolTest, CleanCodeReportsNothingAndAnRcfileIsUsed) {
  Write("ok.py", "\"\"\"Fine.\"\"\"\nimport os\n\nprint(os.sep)\n");
  Write("pylintrc", "[MESSAGES CONTROL]\ndisable=all\n");
  ASSERT_TRUE(Run("pylint", Json{{"modules_or_packages", "ok.py"}}).ok) << log_;
  EXPECT_TRUE(rec_.issues.empty()) << Json(rec_.issues).dump();
  Write("bad.py", "import os\n");
  ASSERT_TRUE(Run("pylint", Json{{"modules_or_packages", "bad.py"}, {"rcfile", "pylintrc"}}).ok);
  EXPECT_TRUE(rec_.issues.empty()) << Json(rec_.issues).dump();
}

TEST_F(PylintToolTest, AUsageErrorFailsTheStep) {
  Write("ok.py", "\"\"\"Fine.\"\"\"\n");
  StepOutcome out = Run("pylint", Json{{"modules_or_packages", "--no-such-option ok.py"}});
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.reason, "exit-code");
  EXPECT_EQ(Run("pylint", Json::object()).reason, "agent-error");  // nothing to lint
}

}  // namespace
}  // namespace kraken::tools
