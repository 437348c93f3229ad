// The tools that need no server, run in a temporary workspace with a recording reporter.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/tools/tool.h"
#include "agent/tools/tool_test_fixture.h"
#include "agent/tools/tool_util.h"
#include "core/glob.h"

namespace kraken::tools {
namespace {

namespace fs = std::filesystem;

using ToolsTest = ToolTest;

TEST(Glob, SegmentsAndDoubleStar) {
  EXPECT_TRUE(GlobMatch("**/*.xml", "a.xml"));
  EXPECT_TRUE(GlobMatch("**/*.xml", "x/y/a.xml"));
  EXPECT_FALSE(GlobMatch("*.xml", "x/a.xml"));
  EXPECT_TRUE(GlobMatch("reports/**", "reports/a/b.txt"));
  EXPECT_TRUE(GlobMatch("r?p/*.t*", "rep/a.txt"));
  EXPECT_FALSE(GlobMatch("reports/**/x", "reports/a/y"));
}

TEST_F(ToolsTest, GlobFilesWalksBelowTheLiteralPrefix) {
  Write("a/b/c.xml", "");
  Write("a/d.xml", "");
  Write("e.xml", "");
  EXPECT_EQ(GlobFiles(ctx_.workspace, "a/**/*.xml"),
            (std::vector<std::string>{"a/b/c.xml", "a/d.xml"}));
  EXPECT_EQ(GlobFiles(ctx_.workspace, "**/*.xml").size(), 3u);
  EXPECT_EQ(GlobFiles(ctx_.workspace, "e.xml"), std::vector<std::string>{"e.xml"});
  EXPECT_TRUE(GlobFiles(ctx_.workspace, "nope/*.xml").empty());
}

TEST_F(ToolsTest, JunitCollectReportsGoodFilesAndNamesTheBrokenOne) {
  Write("r/good.xml",
        "<testsuite><testcase classname='c' name='ok'/><testcase "
        "name='bad'><error/></testcase></testsuite>");
  Write("r/broken.xml", "<testsuite>\n<testcase>\n");
  StepOutcome out = Run("junit_collect", Json{{"file_glob", "r/*.xml"}});
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.message.find("r/broken.xml:"), std::string::npos) << out.message;
  ASSERT_EQ(rec_.results.size(), 2u);
  EXPECT_EQ(rec_.results[0].test, "c::ok");
  EXPECT_EQ(rec_.results[1].status, results::TestStatus::kError);
}

TEST_F(ToolsTest, ValuesCollectMakesOneResultPerFile) {
  Write("m/bench.json", R"({"rps": 1200, "lat": {"value": 3.5, "stddev": 0.2, "bogus": "x"}})");
  StepOutcome out =
      Run("values_collect",
          Json{{"cwd", "m"}, {"files", {{{"name", "bench.json"}, {"namespace", "perf::http"}}}}});
  ASSERT_TRUE(out.ok) << out.message;
  ASSERT_EQ(rec_.results.size(), 1u);
  EXPECT_EQ(rec_.results[0].test, "perf::http");
  EXPECT_EQ((*rec_.results[0].values)["rps"]["value"], 1200);
  EXPECT_EQ((*rec_.results[0].values)["lat"], (Json{{"value", 3.5}, {"stddev", 0.2}}));
  Write("m/bad.json", R"({"rps": "fast"})");
  EXPECT_FALSE(Run("values_collect", Json{{"cwd", "m"}, {"files", {"bad.json"}}}).ok);
}

TEST_F(ToolsTest, RndtestIsStableForASeedAndMixesOutcomes) {
  ASSERT_TRUE(Run("rndtest", Json{{"count", 200}, {"seed", 7}}).ok);
  auto first = rec_.results;
  rec_.results.clear();
  ASSERT_TRUE(Run("rndtest", Json{{"count", "200"}, {"seed", 7}}).ok);
  ASSERT_EQ(first.size(), 200u);
  int failed = 0, disabled = 0, with_values = 0;
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].status, rec_.results[i].status);
    failed += first[i].status == results::TestStatus::kFailed;
    disabled += first[i].status == results::TestStatus::kDisabled;
    with_values += first[i].values.has_value();
  }
  EXPECT_GE(failed, 10);
  EXPECT_EQ(disabled, 10);
  EXPECT_EQ(with_values, 10);
  EXPECT_FALSE(Run("rndtest", Json{{"count", "many"}}).ok);
}

TEST_F(ToolsTest, ShellKeepsItsBehaviour) {
  StepOutcome ok = Run("shell", Json{{"cmd", "echo hi; echo $FOO"}, {"env", {{"FOO", "bar"}}}});
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(log_, "hi\nbar\n");
  StepOutcome bad = Run("shell", Json{{"script", "false\necho never"}});
  EXPECT_EQ(bad.reason, "exit-code");
  EXPECT_EQ(Run("shell", Json{{"cmd", "sleep 5"}, {"timeout", 1}}).reason, "step-timeout");
  EXPECT_EQ(Run("shell", Json::object()).reason, "agent-error");
}

TEST_F(ToolsTest, DataOutsideAJobIsShownNotStored) {
  EXPECT_TRUE(Run("data", Json{{"value", {{"a", 1}}}, {"scope", "branch"}}).ok);
  EXPECT_EQ(Run("data", Json{{"value", 1}, {"scope", "galaxy"}}).message.substr(0, 6), "scope:");
  EXPECT_FALSE(Run("artifacts", Json{{"action", "download"}, {"source", "x"}}).ok);
}

TEST(ToolSpecs, EveryToolHasAFieldSchema) {
  for (const auto& t : AllTools()) {
    Json s = FieldsSchema(t);
    EXPECT_EQ(s["type"], "object") << t.name;
    EXPECT_FALSE(s["properties"].empty()) << t.name;
  }
  EXPECT_EQ(FieldsSchema(*FindTool("git"))["required"], Json::array({"checkout"}));
  EXPECT_EQ(FindTool("nope"), nullptr);
}

}  // namespace
}  // namespace kraken::tools

namespace kraken::tools {
namespace {

class ShellProgramTest : public ToolTest {};

// An image without the shell a step needs fails the step saying so.
TEST_F(ShellProgramTest, AMissingShellFailsTheStepSayingSo) {
  StepOutcome out = Run("shell", Json{{"cmd", "echo hi"}, {"shell_exe", "/nonexistent/sh"}});
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.reason, "agent-error");
  EXPECT_NE(out.message.find("/nonexistent/sh not found on this machine"), std::string::npos)
      << out.message;
  EXPECT_TRUE(Run("shell", Json{{"cmd", "true"}, {"shell_exe", "/bin/sh"}}).ok);
}

}  // namespace
}  // namespace kraken::tools
