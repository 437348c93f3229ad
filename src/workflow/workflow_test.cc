#include <gtest/gtest.h>

#include "workflow/stage_def.h"
#include "workflow/when.h"

namespace kraken::workflow {
namespace {

Json Stage() {
  return Json::parse(R"({
    "parent": "root", "triggers": {"parent": true},
    "parameters": [{"name": "COUNT", "default": "10"}],
    "jobs": [{"name": "build", "timeout": 100,
              "steps": [{"tool": "shell", "cmd": "make"},
                        {"tool": "shell", "cmd": "echo bye", "when": "always"}],
              "environments": [{"system": ["debian-12", "ubuntu-22.04"], "agents_group": "all",
                                "config": "default"}]}]})");
}

TEST(StageDef, ParsesJobsEnvironmentsAndSteps) {
  auto st = ParseStage(Stage());
  ASSERT_TRUE(st) << st.error().field << ": " << st.error().message;
  ASSERT_EQ(st->jobs.size(), 1u);
  EXPECT_EQ(st->jobs[0].timeout, 100);
  EXPECT_EQ(st->jobs[0].environments[0].systems.size(), 2u);
  EXPECT_EQ(st->jobs[0].steps[1].when, "always");
  EXPECT_EQ(st->jobs[0].steps[0].fields["cmd"], "make");
  EXPECT_EQ(ParameterDefaults(*st)["COUNT"], "10");
}

TEST(StageDef, ErrorsNameThePath) {
  Json s = Stage();
  s["jobs"][0]["steps"][1].erase("cmd");
  auto st = ParseStage(s);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().field, "jobs[0].steps[1].cmd");

  s = Stage();
  s["jobs"][0]["environments"][0]["executr"] = "local";
  EXPECT_EQ(ParseStage(s).error().field, "jobs[0].environments[0].executr");

  s = Stage();
  s["jobs"].push_back(s["jobs"][0]);
  EXPECT_EQ(ParseStage(s).error().field, "jobs[1].name");

  s = Stage();
  s["jobs"][0]["timeout"] = -5;
  EXPECT_EQ(ParseStage(s).error().field, "jobs[0].timeout");
  EXPECT_FALSE(ParseStage(Json::array()));
}

TEST(When, PredefinedConditions) {
  WhenContext ok{true, false, true};
  WhenContext failed{false, true, false};
  EXPECT_TRUE(*EvaluateWhen("was_no_error", ok));
  EXPECT_FALSE(*EvaluateWhen("was_no_error", failed));
  EXPECT_TRUE(*EvaluateWhen("always", failed));
  EXPECT_FALSE(*EvaluateWhen("never", ok));
  EXPECT_TRUE(*EvaluateWhen("was_any_error", failed));
  EXPECT_TRUE(*EvaluateWhen("is_dev", failed));
  EXPECT_TRUE(*EvaluateWhen("is_ci and not was_any_error", ok));
  EXPECT_TRUE(*EvaluateWhen("never or prev_ok", ok));
  EXPECT_FALSE(EvaluateWhen("sometimes", ok));
  EXPECT_FALSE(EvaluateWhen("prev_ok and", ok));
}

}  // namespace
}  // namespace kraken::workflow
