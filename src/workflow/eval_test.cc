#include <gtest/gtest.h>

#include "workflow/context.h"
#include "workflow/interpolate.h"
#include "workflow/json_schema.h"
#include "workflow/source_limits.h"
#include "workflow/stage_schema.h"
#include "workflow/triggers.h"
#include "workflow/when.h"

namespace kraken::workflow {
namespace {

Millis At(const std::string& s) { return *ParseDateMillis(s, "t"); }

TEST(Triggers, Durations) {
  EXPECT_EQ(*ParseDurationSeconds("10m", "i"), 600);
  EXPECT_EQ(*ParseDurationSeconds("1d 3h 30m 10s", "i"), 86400 + 3 * 3600 + 30 * 60 + 10);
  EXPECT_EQ(*ParseDurationSeconds(Json(172800), "i"), 172800);
  EXPECT_EQ(*ParseDurationSeconds("90", "i"), 90);
  EXPECT_FALSE(ParseDurationSeconds("10x", "i"));
  EXPECT_FALSE(ParseDurationSeconds("", "i"));
  EXPECT_FALSE(ParseDurationSeconds(Json(0), "i"));
}

TEST(Triggers, Dates) {
  EXPECT_EQ(At("1970-01-02"), 86'400'000);
  EXPECT_EQ(At("2030-01-02T03:04:05Z"), At("2030-01-02 03:04:05"));
  EXPECT_FALSE(ParseDateMillis("2030-13-01", "d"));
  EXPECT_FALSE(ParseDateMillis("tomorrow", "d"));
}

TEST(Triggers, CronNextFireTimes) {
  auto every15 = *CronSpec::Parse("*/15 * * * *", "c");
  EXPECT_EQ(*every15.Next(At("2030-01-01 10:07:00")), At("2030-01-01 10:15:00"));
  EXPECT_EQ(*every15.Next(At("2030-01-01 10:15:00")), At("2030-01-01 10:30:00"));
  // 2030-01-01 is a Tuesday: weekdays 1-5 at 02:15 skip Saturday and Sunday.
  auto weekdays = *CronSpec::Parse("15 2 * * mon-fri", "c");
  EXPECT_EQ(*weekdays.Next(At("2030-01-04 03:00:00")), At("2030-01-07 02:15:00"));
  // Both day fields restricted: either matches (the 13th, or any Friday).
  auto either = *CronSpec::Parse("0 0 13 * 5", "c");
  EXPECT_EQ(*either.Next(At("2030-01-01 00:00:00")), At("2030-01-04 00:00:00"));
  EXPECT_EQ(*either.Next(At("2030-01-11 00:00:00")), At("2030-01-13 00:00:00"));
  auto leap = *CronSpec::Parse("0 12 29 feb *", "c");
  EXPECT_EQ(*leap.Next(At("2030-01-01 00:00:00")), At("2032-02-29 12:00:00"));
  EXPECT_EQ(*CronSpec::Parse("0 0 * * 7", "c")->Next(At("2030-01-01")), At("2030-01-06"));
  EXPECT_FALSE(CronSpec::Parse("* * * *", "c"));
  EXPECT_FALSE(CronSpec::Parse("0 24 * * *", "c"));
  EXPECT_FALSE(CronSpec::Parse("*/0 * * * *", "c"));
}

TEST(JsonSchema, SuggestsTheClosestName) {
  EXPECT_EQ(Suggest("cmdd", {"cmd", "cwd", "script"}), "cmd");
  EXPECT_EQ(Suggest("sytem", {"system", "agents_group"}), "system");
  EXPECT_FALSE(Suggest("zzzzzz", {"cmd", "cwd"}));
}

TEST(JsonSchema, TheServedSchemaIsValidJsonWithEveryTool) {
  Json schema = Json::parse(WorkflowSchemaText());
  for (const char* tool :
       {"shell", "git", "artifacts", "cache", "pytest", "junit_collect", "values_collect", "gotest",
        "data", "rndtest", "pylint", "cloc", "nglint"})
    EXPECT_TRUE(schema["definitions"].contains(std::string("tool_") + tool)) << tool;
}

TEST(StageSchema, ConfigNamingNoConfigIsAccepted) {
  auto st = ValidateStage(Json::parse(R"({"configs": [], "jobs": [{"name": "a",
      "steps": [{"tool": "shell", "cmd": "x"}],
      "environments": [{"system": "any", "agents_group": "all", "config": "default"}]}]})"));
  ASSERT_TRUE(st) << st.error().ToString();
  EXPECT_EQ(FindConfig(st->def, "default"), nullptr);
}

TEST(StageSchema, TimeTriggersDoNotImplyParent) {
  auto cron = ValidateStage(Json::parse(R"({"triggers": {"cron": "0 0 * * *"}})"));
  ASSERT_TRUE(cron);
  EXPECT_FALSE(cron->def.trigger_parent);
  auto both = ValidateStage(Json::parse(R"({"triggers": {"cron": "0 0 * * *", "parent": true}})"));
  EXPECT_TRUE(both->def.trigger_parent);
  EXPECT_TRUE(ValidateStage(Json::object())->def.trigger_parent);
}

TEST(StageSchema, TheSameDictFromJsonYamlAndStarlark) {
  auto star = EvaluateStage("def stage(ctx):\n    return {'jobs': [], 'timeout': 60}\n", "starlark",
                            SampleContext());
  auto json = EvaluateStage(R"({"jobs": [], "timeout": 60})", "json", Json::object());
  auto yaml = EvaluateStage("jobs: []\ntimeout: 60\n", "yaml", Json::object());
  ASSERT_TRUE(star && json && yaml);
  EXPECT_EQ(star->schema, json->schema);
  EXPECT_EQ(yaml->schema, json->schema);
  EXPECT_EQ(*star->def.timeout, 60);
}

TEST(StageSchema, YamlAliasesOfALongScalarStayWithinTheTextBudget) {
  // 100 uses of a 64 KiB string: 6.4 MB of text from 64 KiB of code.
  std::string code = "parent: root\nx: &s \"" + std::string(64 << 10, 'x') + "\"\njobs: [";
  for (int i = 0; i < 100; ++i) code += i ? ", *s" : "*s";
  code += "]\n";
  auto stage = EvaluateStage(code, "yaml", Json::object());
  ASSERT_FALSE(stage);
  EXPECT_GT(stage.error().line, 0);  // where the budget ran out
  EXPECT_NE(stage.error().message.find("its text expands to more than 4194304 bytes, the limit"),
            std::string::npos)
      << stage.error().message;
}

TEST(StageSchema, StageCodeIsBoundedInSize) {
  std::string code = "# " + std::string(kMaxStageCodeBytes, 'x') + "\njobs: []\n";
  auto stage = EvaluateStage(code, "yaml", Json::object());
  ASSERT_FALSE(stage);
  EXPECT_EQ(stage.error().field, "schema_code");
  EXPECT_NE(stage.error().message.find("more than the limit of 1048576"), std::string::npos);
}

TEST(ResolveFormat, DetectsStarlark) {
  EXPECT_EQ(*ResolveFormat("# x\ndef stage(ctx):\n  return {}", ""), "starlark");
  EXPECT_EQ(*ResolveFormat(" {\"jobs\": []}", ""), "json");
  EXPECT_EQ(*ResolveFormat("jobs: []", ""), "yaml");
  EXPECT_EQ(*ResolveFormat("x", "python"), "starlark");
  EXPECT_EQ(ResolveFormat("x", "toml").error().field, "schema_format");
}

Json RunCtx() {
  Json ctx = SampleContext();
  ctx["flow"] =
      Json{{"kind", "dev"}, {"seq", {{"shared", 7}, {"own", 3}}}, {"data", Json::object()}};
  ctx["env"] = Json{{"MY_VAR", "hello"}};
  ctx["args"]["COUNT"] = "10";
  ctx["secrets"] = Json{{"gh", "s3cret"}};
  ctx["is_dev"] = true;
  return ctx;
}

TEST(Interpolation, LegacyVariablesAndExpressions) {
  Json ctx = RunCtx();
  Interpolator in(ctx, LegacyVariables(ctx));
  EXPECT_EQ(*in.ExpandString("n=#{COUNT} seq=#{KK_FLOW_SEQ}/#{KK_CI_DEV_FLOW_SEQ}", "f"),
            "n=10 seq=7/3");
  EXPECT_EQ(*in.ExpandString("#{flow.seq.own + 1}-#{env.MY_VAR}-#{ctx.args.COUNT}", "f"),
            "4-hello-10");
  EXPECT_EQ(*in.ExpandString("#{KK_SECRET_SIMPLE_gh}:#{secrets.gh}", "f"), "s3cret:s3cret");
  EXPECT_EQ(*in.ExpandString("#{ {'a': 1}['a'] }", "f"), "1");
  auto fields = in.Expand(Json{{"cmd", "echo #{COUNT}"}, {"list", {"#{is_dev}"}}}, "steps[0]");
  ASSERT_TRUE(fields);
  EXPECT_EQ((*fields)["cmd"], "echo 10");
  EXPECT_EQ((*fields)["list"][0], "True");
}

TEST(Interpolation, AnExpressionErrorIsAnErrorNotText) {
  Json ctx = RunCtx();
  Interpolator in(ctx, LegacyVariables(ctx));
  auto bad = in.Expand(Json{{"cmd", "echo #{env.NOPE}"}}, "steps[0]");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "steps[0].cmd");
  EXPECT_NE(bad.error().message.find("NOPE"), std::string::npos) << bad.error().message;
  EXPECT_FALSE(in.ExpandString("#{1 +}", "f"));
  EXPECT_FALSE(in.ExpandString("#{unclosed", "f"));
}

// An expression the parser refuses (a 30,000-term chain nests too deeply) is an error on the
// field, quoting the expression only in part, with its line and column.
TEST(Interpolation, AnOverlongChainIsAnErrorWithItsColumn) {
  Json ctx = RunCtx();
  Interpolator in(ctx, LegacyVariables(ctx));
  std::string chain = "1";
  for (int i = 0; i < 30'000; ++i) chain += "+1";
  auto bad = in.Expand(Json{{"cmd", "echo #{" + chain + "}"}}, "steps[0]");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "steps[0].cmd");
  EXPECT_NE(bad.error().message.find("(line 1, column "), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("nesting too deep"), std::string::npos) << bad.error().message;
  EXPECT_LT(bad.error().message.size(), 300u) << bad.error().message;
}

// Interpolated text becomes a JSON string: a byte taken out of a UTF-8 sequence is replaced.
TEST(Interpolation, TheTextIsValidUtf8) {
  Json ctx = RunCtx();
  Interpolator in(ctx, LegacyVariables(ctx));
  auto text = in.ExpandString("[#{'é'[0]}]", "f");
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "[\xEF\xBF\xBD]");
  EXPECT_NO_THROW(Json(*text).dump());
}

TEST(StageSchema, AStarlarkStageOfInvalidUtf8OrSharedListsIsSafe) {
  auto stage = EvaluateStage("def stage(ctx):\n    return {'jobs': [], 'run_label': 'é'[0]}\n",
                             "starlark", SampleContext());
  ASSERT_TRUE(stage) << stage.error().message;
  EXPECT_EQ(stage->schema["run_label"], "\xEF\xBF\xBD");
  EXPECT_NO_THROW(stage->schema.dump());
  // Four levels of [a] * 56 share their lists: as JSON they would be 10 million values.
  auto shared = EvaluateStage(
      "def stage(ctx):\n    a = [1] * 56\n    b = [a] * 56\n    c = [b] * 56\n"
      "    return {'jobs': [], 'x': [c] * 56}\n",
      "starlark", SampleContext());
  ASSERT_FALSE(shared);
  // The memory limit, or on a loaded machine the time limit, ends the conversion.
  EXPECT_NE(shared.error().message.find("exceeded the"), std::string::npos)
      << shared.error().message;
}

TEST(Interpolation, SecretsAreMasked) {
  Json shown = MaskSecrets(Json{{"cmd", "curl -u me:s3cret x"}, {"n", 1}}, {"s3cret"});
  EXPECT_EQ(shown["cmd"], "curl -u me:****** x");
  EXPECT_EQ(shown["n"], 1);
}

TEST(When, StarlarkConditionsOverTheStepContext) {
  Json ctx = RunCtx();
  ctx["job"] = Json{{"steps", {{{"result", {{"duration", 5.0}}}}}}};
  ctx["step"] = Json{{"index", 1}};
  AddWhenNames(ctx, WhenContext{true, false, false});
  Interpolator in(ctx, LegacyVariables(ctx));
  EXPECT_TRUE(*EvaluateWhen("was_no_error", in));
  EXPECT_FALSE(*EvaluateWhen("is_ci", in));
  EXPECT_TRUE(*EvaluateWhen("is_dev and prev_ok", in));
  EXPECT_TRUE(*EvaluateWhen("#{job.steps[step.index-1].result.duration > 3}", in));
  EXPECT_TRUE(*EvaluateWhen("flow.seq.own == 3 or never", in));
  auto not_bool = EvaluateWhen("flow.seq.own", in);
  ASSERT_FALSE(not_bool);
  EXPECT_NE(not_bool.error().message.find("True or False"), std::string::npos);
  EXPECT_FALSE(EvaluateWhen("no_such_name", in));
}

}  // namespace
}  // namespace kraken::workflow
