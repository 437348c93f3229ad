// The cloc tool with the real cloc (Debian package `cloc`): per-language line counts become
// passed results whose values the tests compute from the files they write.
#include <gtest/gtest.h>

#include <map>

#include "agent/tools/tool_test_fixture.h"

namespace kraken::tools {
namespace {

class ClocToolTest : public ToolTest {
 protected:
  void SetUp() override {
    ToolTest::SetUp();
    ASSERT_EQ(std::system("command -v cloc >/dev/null 2>&1"), 0)
        << "cloc is not installed (scripts/install-deps.sh installs it)";
    // C: 4 code, 2 comment, 1 blank lines.
    Write(
        "src/main.c",
        "#include <stdio.h>\n// says hi\n/* twice */\n\nint main() {\n  return puts(\"hi\");\n}\n");
    // Python: 2 code, 1 comment, 2 blank lines in two files.
    Write("src/a.py", "# a\nx = 1\n\n");
    Write("src/b.py", "\ny = 2\n");
    Write("vendor/lib.py", "z = 3\nw = 4\n");
  }
  std::map<std::string, Json> ByTest() {
    std::map<std::string, Json> out;
    for (const auto& r : rec_.results) {
      EXPECT_EQ(r.status, results::TestStatus::kPassed);
      out[r.test] = r.values.value_or(Json());
    }
    return out;
  }
  static int64_t V(const Json& values, const char* name) {
    return values[name]["value"].get<int64_t>();
  }
};

TEST_F(ClocToolTest, EachLanguageAndTheSumBecomeAResultWithLineCounts) {
  StepOutcome out = Run("cloc", Json{{"cwd", "src"}});
  ASSERT_TRUE(out.ok) << out.message << log_;
  auto by_test = ByTest();
  ASSERT_EQ(by_test.size(), 3u) << log_;
  const Json& c = by_test["C"];
  EXPECT_EQ(V(c, "code"), 4);
  EXPECT_EQ(V(c, "comment"), 2);
  EXPECT_EQ(V(c, "blank"), 1);
  EXPECT_EQ(V(c, "total"), 7);
  EXPECT_EQ(V(c, "files"), 1);
  const Json& py = by_test["Python"];
  EXPECT_EQ(V(py, "code"), 2);
  EXPECT_EQ(V(py, "comment"), 1);
  EXPECT_EQ(V(py, "blank"), 2);
  EXPECT_EQ(V(py, "files"), 2);
  EXPECT_EQ(V(by_test["SUM"], "total"), 12);
  EXPECT_EQ(V(by_test["SUM"], "files"), 3);
}

TEST_F(ClocToolTest, ExcludedDirectoriesAndFileNamesAreNotCounted) {
  StepOutcome out = Run("cloc", Json{{"exclude-dir", "vendor"}, {"not-match-f", "^b\\.py$"}});
  ASSERT_TRUE(out.ok) << out.message << log_;
  auto by_test = ByTest();
  EXPECT_EQ(V(by_test["Python"], "files"), 1);  // src/a.py only
  EXPECT_EQ(V(by_test["Python"], "code"), 1);
  EXPECT_EQ(V(by_test["SUM"], "files"), 2);
}

TEST_F(ClocToolTest, AnEmptyDirectoryReportsNothingAndAMissingOneFails) {
  std::filesystem::create_directories(std::filesystem::path(ctx_.workspace) / "empty");
  StepOutcome out = Run("cloc", Json{{"cwd", "empty"}});
  EXPECT_TRUE(out.ok) << out.message << log_;
  EXPECT_TRUE(rec_.results.empty());
  out = Run("cloc", Json{{"cwd", "nowhere"}});
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.message.find("cwd:"), std::string::npos);
}

}  // namespace
}  // namespace kraken::tools
