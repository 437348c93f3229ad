// The nglint tool and its reader of ESLint's JSON report. Angular's CLI cannot run here (it
// would be fetched from the npm registry), so the reports are written by hand after ESLint's
// documented JSON format (https://eslint.org/docs/latest/use/formatters/#json) and printed by
// the step's `cmd`, as `ng lint --format json` would print them.
#include <gtest/gtest.h>

#include "agent/tools/nglint_report.h"
#include "agent/tools/tool_test_fixture.h"

namespace kraken::tools {
namespace {

// Two files: one with an error, a warning and a fatal parse error; one clean.
constexpr const char* kReport = R"([{"filePath":"WS/src/app/app.component.ts","messages":[
{"ruleId":"@typescript-eslint/no-unused-vars","severity":2,"message":"'x' is assigned a value but never used.","line":12,"column":7,"nodeType":"Identifier","messageId":"unusedVar","endLine":12,"endColumn":8},
{"ruleId":"@angular-eslint/component-selector","severity":1,"message":"The selector should start with \"app\" [or be \"]\"]","line":4,"column":13,"nodeType":"Literal","endLine":4,"endColumn":27}],
"suppressedMessages":[],"errorCount":1,"fatalErrorCount":0,"warningCount":1,"fixableErrorCount":0,"fixableWarningCount":0,"usedDeprecatedRules":[]},
{"filePath":"WS/src/main.ts","messages":[{"ruleId":null,"fatal":true,"severity":2,"message":"Parsing error: ';' expected.","line":3,"column":18}],
"suppressedMessages":[],"errorCount":1,"fatalErrorCount":1,"warningCount":0,"fixableErrorCount":0,"fixableWarningCount":0,"usedDeprecatedRules":[]},
{"filePath":"WS/src/clean.ts","messages":[],"suppressedMessages":[],"errorCount":0,"fatalErrorCount":0,"warningCount":0,"fixableErrorCount":0,"fixableWarningCount":0,"usedDeprecatedRules":[]}]
)";

std::string ReportFor(const std::string& workspace) {
  std::string out = kReport;
  for (size_t at; (at = out.find("WS/")) != std::string::npos;) out.replace(at, 2, workspace);
  return out;
}

class NglintToolTest : public ToolTest {};

TEST_F(NglintToolTest, EachMessageBecomesAnIssueWithItsSeverityAsType) {
  // As `ng lint` prints it: its own lines around the report.
  Write("lint.out", "\nLinting \"app\"...\n" + ReportFor(ctx_.workspace) +
                        "\nLint errors found in the listed files.\n");
  StepOutcome out = Run("nglint", Json{{"cmd", "cat lint.out; exit 1"}});  // 1: lint errors
  ASSERT_TRUE(out.ok) << out.message << log_;
  ASSERT_EQ(rec_.issues.size(), 3u);
  EXPECT_EQ(rec_.issues[0], (Json{{"path", "src/app/app.component.ts"},
                                  {"line", 12},
                                  {"column", 7},
                                  {"symbol", "@typescript-eslint/no-unused-vars"},
                                  {"message", "'x' is assigned a value but never used."},
                                  {"type", "error"}}));
  EXPECT_EQ(rec_.issues[1]["type"], "warning");
  EXPECT_EQ(rec_.issues[1]["message"], "The selector should start with \"app\" [or be \"]\"]");
  EXPECT_EQ(rec_.issues[2]["symbol"], "fatal");
  EXPECT_EQ(rec_.issues[2]["path"], "src/main.ts");
  EXPECT_EQ(rec_.issues[2]["type"], "error");
  EXPECT_NE(log_.find("Linting \"app\"..."), std::string::npos) << log_;
}

TEST_F(NglintToolTest, PathsAreRelativeToCwdAndEveryProjectsReportIsRead) {
  // ng lint over a workspace with two projects prints two reports.
  std::string two =
      "Linting \"a\"...\n" + ReportFor(ctx_.workspace + "/") + "Linting \"b\"...\n" +
      R"([{"filePath":")" + ctx_.workspace +
      R"(/src/b.ts","messages":[{"ruleId":"eqeqeq","severity":1,"message":"Expected '==='.","line":1,"column":3}]}])" +
      "\n";
  Write("src/lint.out", two);
  StepOutcome out = Run("nglint", Json{{"cwd", "src"}, {"cmd", "cat lint.out"}});
  ASSERT_TRUE(out.ok) << out.message << log_;
  ASSERT_EQ(rec_.issues.size(), 4u);
  EXPECT_EQ(rec_.issues[0]["path"], "app/app.component.ts");
  EXPECT_EQ(rec_.issues[3]["path"], "b.ts");
  EXPECT_EQ(rec_.issues[3]["symbol"], "eqeqeq");
}

TEST_F(NglintToolTest, ALinterThatCouldNotLintFailsTheStep) {
  // ESLint's exit status 2: a configuration error.
  StepOutcome out = Run("nglint", Json{{"cmd", "echo 'Oops! Something went wrong!' >&2; exit 2"}});
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.reason, "exit-code");
  out = Run("nglint", Json{{"cmd", "echo not a report"}});
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.message.find("no ESLint JSON report"), std::string::npos) << out.message;
  out = Run("nglint", Json{{"cmd", "echo '[{\"file\": 1}]'"}});
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.message.find("filePath"), std::string::npos) << out.message;
  EXPECT_TRUE(rec_.issues.empty());
}

TEST(EslintReportTest, AnEmptyReportHasNoIssues) {
  auto r = ParseEslintReport("[]\n", "/w");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->issues.empty());
  EXPECT_FALSE(ParseEslintReport("", "/w"));
  // A path outside the base stays absolute.
  auto out = ParseEslintReport(
      R"([{"filePath":"/elsewhere/x.ts","messages":[{"ruleId":"r","severity":2,"message":"m","line":1,"column":1}]}])",
      "/w");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->issues[0]["path"], "/elsewhere/x.ts");
}

}  // namespace
}  // namespace kraken::tools
