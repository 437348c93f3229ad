// The local_tool tool running Kraken CI style Python tools with the real python3: results
// (after collect_tests), issues, a plain run, failures, and the step's fields as parameters.
#include <gtest/gtest.h>

#include "agent/tools/tool_test_fixture.h"

namespace kraken::tools {
namespace {

class LocalToolTest : public ToolTest {};

TEST_F(LocalToolTest, RunTestsReportsResultsForTheCollectedTests) {
  Write("tools/mytests/main.py", R"(
def collect_tests(step):
    return ['t%d' % i for i in range(step['count'])]

def run_tests(step, report_result=None):
    for t in step['tests']:
        status = 'failed' if t == 't1' else 'passed'
        report_result({'test': step['prefix'] + t, 'status': status, 'cmd': 'run ' + t,
                       'values': {'speed': {'value': len(t)}}})
    report_result({'test': 'coded', 'status': 4})
    return 0, ''
)");
  StepOutcome out = Run(
      "local_tool", Json{{"tool_location", "tools/mytests"}, {"count", 3}, {"prefix", "suite::"}});
  ASSERT_TRUE(out.ok) << out.message << log_;
  ASSERT_EQ(rec_.results.size(), 4u);
  EXPECT_EQ(rec_.results[0].test, "suite::t0");
  EXPECT_EQ(rec_.results[0].status, results::TestStatus::kPassed);
  EXPECT_EQ(rec_.results[1].status, results::TestStatus::kFailed);
  EXPECT_EQ(rec_.results[1].cmd.value_or(""), "run t1");
  EXPECT_EQ((*rec_.results[2].values)["speed"]["value"], 2);
  EXPECT_EQ(rec_.results[3].status, results::TestStatus::kDisabled);
}

TEST_F(LocalToolTest, RunAnalysisReportsIssuesFromAnotherEntryModule) {
  Write("lint/checker.py", R"(
import helper
def run_analysis(step, report_issue=None):
    for n in range(helper.COUNT):
        report_issue({'path': 'a.py', 'line': n + 1, 'column': 0, 'symbol': 'x', 'message': step['msg'], 'type': 'warning'})
)");
  Write("lint/vendor/helper.py", "COUNT = 2\n");  // vendor/ is on the path, as in Kraken CI
  StepOutcome out = Run("local_tool", Json{{"tool_location", ctx_.workspace + "/lint"},
                                           {"tool_entry", "checker"},
                                           {"msg", "hello"}});
  ASSERT_TRUE(out.ok) << out.message << log_;
  ASSERT_EQ(rec_.issues.size(), 2u);
  EXPECT_EQ(rec_.issues[1]["line"], 2);
  EXPECT_EQ(rec_.issues[1]["message"], "hello");
}

TEST_F(LocalToolTest, ARunReturningAnErrorFailsTheStepWithItsMessage) {
  Write("t/main.py", R"(
import os
def run(step):
    print('working in', os.getcwd())
    return 3, 'deploy failed'
)");
  StepOutcome out = Run("local_tool", Json{{"tool_location", "t"}});
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.retcode, 3);
  EXPECT_EQ(out.reason, "exit-code");
  EXPECT_EQ(out.message, "deploy failed");
  EXPECT_NE(log_.find("working in " + ctx_.workspace), std::string::npos) << log_;
  Write("t2/main.py", "def run(step):\n    return 10000, 'too slow'\n");
  EXPECT_EQ(Run("local_tool", Json{{"tool_location", "t2"}}).reason, "step-timeout");
}

TEST_F(LocalToolTest, BrokenToolsFailClearly) {
  Write("raise/main.py", "def run(step):\n    raise ValueError('boom')\n");
  StepOutcome out = Run("local_tool", Json{{"tool_location", "raise"}});
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.message.find("ValueError"), std::string::npos) << out.message;
  EXPECT_NE(log_.find("boom"), std::string::npos) << log_;  // the traceback is in the log
  Write("bad/main.py",
        "def run_tests(step, report_result=None):\n    report_result({'test': 'x', 'status': "
        "'sideways'})\n");
  out = Run("local_tool", Json{{"tool_location", "bad"}});
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.message.find("invalid"), std::string::npos) << out.message;
  EXPECT_NE(Run("local_tool", Json{{"tool_location", "nowhere"}}).message.find("tool_location:"),
            std::string::npos);
  EXPECT_NE(Run("local_tool", Json::object()).message.find("tool_location:"), std::string::npos);
  EXPECT_NE(Run("local_tool", Json{{"tool_location", "raise"}, {"tool_entry", "other"}})
                .message.find("tool_entry:"),
            std::string::npos);
}

}  // namespace
}  // namespace kraken::tools
