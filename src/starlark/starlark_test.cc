#include "starlark/starlark.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kraken::starlark {
namespace {

nlohmann::json Context() {
  return nlohmann::json::parse(R"({
    "flow": {"kind": "push", "branch": "main", "sha": "abc123"},
    "repo": {"name": "backend", "labels": ["a", "b"]},
    "number": 7
  })");
}

TEST(ModuleTest, LoadsGlobalsAndCallsStage) {
  const char* source = R"(
PLATFORMS = ["linux", "mac"]

def stage(ctx):
    jobs = [{"name": "build-%s" % p, "branch": ctx.flow.branch} for p in PLATFORMS]
    return {"parent": "root", "triggers": {"push": {}}, "jobs": jobs, "n": ctx.number}
)";
  auto module = Module::Load(source, "kraken.star");
  ASSERT_TRUE(module) << module.error().backtrace;
  ASSERT_NE(module->Global("PLATFORMS"), nullptr);
  EXPECT_EQ(module->Global("missing"), nullptr);
  EXPECT_EQ(module->GlobalNames(), (std::vector<std::string>{"PLATFORMS", "stage"}));

  auto result = module->Call("stage", {StructFromJson("ctx", Context())});
  ASSERT_TRUE(result) << result.error().backtrace;
  auto json = ToJson(*result);
  ASSERT_TRUE(json) << json.error().message;
  EXPECT_EQ(*json, nlohmann::json::parse(R"({
    "parent": "root", "triggers": {"push": {}}, "n": 7,
    "jobs": [{"name": "build-linux", "branch": "main"}, {"name": "build-mac", "branch": "main"}]
  })"));
}

TEST(ModuleTest, PredeclaredValuesAreVisibleAndFrozen) {
  Globals env = {{"config", FromJson(nlohmann::json::parse(R"({"jobs": [1, 2]})"))}};
  auto module = Module::Load("n = len(config['jobs'])\ndef f():\n    config['jobs'].append(3)\n",
                             "a.star", env);
  ASSERT_TRUE(module) << module.error().backtrace;
  EXPECT_EQ(module->Global("n")->int_value(), 2);
  auto result = module->Call("f", {});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message.find("frozen"), std::string::npos) << result.error().message;
}

TEST(ModuleTest, GlobalsAreFrozenAfterLoading) {
  auto module = Module::Load("items = []\ndef add(x):\n    items.append(x)\n", "a.star");
  ASSERT_TRUE(module);
  auto result = module->Call("add", {Value::Int(1)});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "cannot append to frozen list");
  EXPECT_EQ(result.error().line, 3);
  EXPECT_EQ(result.error().column, 17);
  EXPECT_EQ(result.error().backtrace,
            "Traceback (most recent call last):\n  a.star:3:17: in add\nError in append: cannot "
            "append to frozen list");
}

TEST(ModuleTest, RuntimeErrorCarriesPositionAndBacktrace) {
  auto module = Module::Load(
      "def f(x):\n    return 1 // x\n\ndef g():\n    return f(0)\n\ny = g()\n", "b.star");
  ASSERT_FALSE(module);
  const Error& e = module.error();
  EXPECT_EQ(e.message, "floored division by zero");
  EXPECT_EQ(e.file, "b.star");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 14);
  EXPECT_EQ(e.backtrace,
            "Traceback (most recent call last):\n"
            "  b.star:7:6: in <toplevel>\n"
            "  b.star:5:13: in g\n"
            "  b.star:2:14: in f\n"
            "Error: floored division by zero");
}

TEST(ModuleTest, SyntaxAndResolveErrorsHavePositions) {
  auto syntax = Module::Load("x = (1,\n", "c.star");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().line, 2);
  auto undefined = Module::Load("x = 1\ny = nope + x\n", "c.star");
  ASSERT_FALSE(undefined);
  EXPECT_EQ(undefined.error().message, "undefined: nope");
  EXPECT_EQ(undefined.error().line, 2);
  EXPECT_EQ(undefined.error().column, 5);
  EXPECT_EQ(undefined.error().backtrace, "c.star:2:5: undefined: nope");
}

TEST(ModuleTest, PrintGoesToTheHandler) {
  std::vector<std::string> lines;
  Options options;
  options.print = [&lines](std::string_view line) { lines.emplace_back(line); };
  auto module =
      Module::Load("print('hello', 1, [2])\nprint('a', 'b', sep='-')\n", "p.star", {}, options);
  ASSERT_TRUE(module);
  EXPECT_EQ(lines, (std::vector<std::string>{"hello 1 [2]", "a-b"}));
}

TEST(ModuleTest, CallingAMissingOrNonCallableGlobalFails) {
  auto module = Module::Load("x = 1\n", "a.star");
  ASSERT_TRUE(module);
  EXPECT_FALSE(module->Call("nope", {}));
  auto result = module->Call("x", {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "invalid call of non-function (int)");
}

TEST(StructTest, FieldsAreAttributes) {
  Globals env = {{"ctx", StructFromJson("ctx", Context())}};
  auto kind = EvalExpression("ctx.flow.kind", env);
  ASSERT_TRUE(kind) << kind.error().backtrace;
  EXPECT_EQ(Str(*kind), "push");
  auto labels = EvalExpression("ctx.repo.labels[1] + str(ctx.number)", env);
  ASSERT_TRUE(labels);
  EXPECT_EQ(Str(*labels), "b7");
}

TEST(StructTest, MissingFieldIsAnError) {
  Globals env = {{"ctx", StructFromJson("ctx", Context())}};
  auto top = EvalExpression("ctx.nope", env);
  ASSERT_FALSE(top);
  EXPECT_EQ(top.error().message, "ctx has no field 'nope'");
  EXPECT_EQ(top.error().column, 4);
  auto nested = EvalExpression("ctx.flow.x", env);
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().message, "ctx.flow has no field 'x'");
}

TEST(StructTest, HasattrGetattrAndDirWork) {
  Globals env = {{"ctx", StructFromJson("ctx", Context())}};
  auto result = EvalExpression(
      "(hasattr(ctx, 'flow'), hasattr(ctx, 'x'), getattr(ctx.flow, 'sha'), getattr(ctx, 'x', "
      "'dflt'), dir(ctx))",
      env);
  ASSERT_TRUE(result) << result.error().backtrace;
  EXPECT_EQ(Repr(*result), R"((True, False, "abc123", "dflt", ["flow", "number", "repo"]))");
  EXPECT_EQ(Repr(StructFromJson("s", nlohmann::json::parse(R"({"b": 1, "a": "x"})"))),
            R"(struct(a = "x", b = 1))");
}

TEST(StructTest, ConvertsBackToJson) {
  nlohmann::json context = Context();
  auto json = ToJson(StructFromJson("ctx", context));
  ASSERT_TRUE(json);
  EXPECT_EQ(*json, context);
}

TEST(ExpressionTest, ConditionsAndInterpolation) {
  Globals env = {{"ctx", StructFromJson("ctx", Context())}};
  auto when = EvalExpression("ctx.flow.kind == 'push' and ctx.flow.branch in ['main', 'dev']", env);
  ASSERT_TRUE(when);
  EXPECT_TRUE(Truth(*when));
  auto text = EvalExpression("'%s@%s' % (ctx.repo.name, ctx.flow.sha[:3])", env);
  ASSERT_TRUE(text);
  EXPECT_EQ(Str(*text), "backend@abc");
  auto comprehension = EvalExpression("[x * 2 for x in range(3)]", {});
  ASSERT_TRUE(comprehension);
  EXPECT_EQ(Repr(*comprehension), "[0, 2, 4]");
}

TEST(ExpressionTest, ErrorsReportTheColumn) {
  auto undefined = EvalExpression("1 + nope", {});
  ASSERT_FALSE(undefined);
  EXPECT_EQ(undefined.error().column, 5);
  auto syntax = EvalExpression("1 +", {});
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().line, 1);
  auto runtime = EvalExpression("1 + 'a'", {});
  ASSERT_FALSE(runtime);
  EXPECT_EQ(runtime.error().column, 3);
  EXPECT_FALSE(EvalExpression("x = 1", {}));
  EXPECT_FALSE(EvalExpression("1\n2", {}));
}

TEST(JsonTest, RoundTripsPlainValues) {
  auto json = nlohmann::json::parse(R"({"a": [1, 2.5, "x", null, true, {"b": []}], "c": {}})");
  Value v = FromJson(json);
  EXPECT_EQ(TypeName(v), "dict");
  auto back = ToJson(v);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, json);
}

TEST(JsonTest, RejectsValuesWithoutJsonForm) {
  auto module =
      Module::Load("bad_key = {1: 2}\nfn = len\ntup = (1, 'a')\ndef f():\n    pass\n", "j.star");
  ASSERT_TRUE(module);
  auto key = ToJson(*module->Global("bad_key"));
  ASSERT_FALSE(key);
  EXPECT_NE(key.error().message.find("keys must be strings"), std::string::npos);
  EXPECT_FALSE(ToJson(*module->Global("fn")));
  EXPECT_FALSE(ToJson(*module->Global("f")));
  auto tuple = ToJson(*module->Global("tup"));
  ASSERT_TRUE(tuple);
  EXPECT_EQ(*tuple, nlohmann::json::parse(R"([1, "a"])"));
}

TEST(ValueTest, FunctionsSurviveTheirModule) {
  Value fn;
  {
    auto module = Module::Load("def f():\n    return 1\n", "m.star");
    ASSERT_TRUE(module);
    fn = *module->Global("f");
  }
  EXPECT_EQ(TypeName(fn), "function");
}

}  // namespace
}  // namespace kraken::starlark
