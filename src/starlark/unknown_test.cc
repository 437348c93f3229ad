// Unknown values and lenient structs (objects.h): what a save-time ctx gives for data that
// only exists at run time.
#include <gtest/gtest.h>

#include "starlark/starlark.h"

namespace kraken::starlark {
namespace {

// Lenient: null fields anywhere, and missing fields of ctx.env, read as unknown.
LenientFields EnvIsLenient() {
  return [](const std::string& name) { return name == "ctx.env"; };
}

std::string Eval(const std::string& expression, const nlohmann::json& ctx, bool lenient) {
  auto v = EvalExpression(
      expression, {{"ctx", StructFromJson("ctx", ctx, lenient ? EnvIsLenient() : nullptr)}});
  return v ? Repr(*v) : "error: " + v.error().message;
}

const nlohmann::json kCtx = {
    {"branch_name", "main"}, {"flow", nullptr}, {"run", nullptr}, {"env", {{"A", "1"}}}};

TEST(Unknown, LenientCtxReadsMissingAndNoneFieldsAsUnknown) {
  EXPECT_EQ(Eval("ctx.flow == None", kCtx, true), "True");
  EXPECT_EQ(Eval("ctx.flow.data.tests == None", kCtx, true), "True");
  EXPECT_EQ(Eval("ctx.flow.data.systems or 'ubuntu:20.04'", kCtx, true), "\"ubuntu:20.04\"");
  EXPECT_EQ(Eval("[s for s in ctx.flow.data.tests]", kCtx, true), "[]");
  EXPECT_EQ(Eval("len(ctx.run.jobs)", kCtx, true), "0");
  EXPECT_EQ(Eval("'x' in ctx.flow.data", kCtx, true), "False");
  EXPECT_EQ(Eval("ctx.flow.data['tests'] == None", kCtx, true), "True");
  EXPECT_EQ(Eval("bool(ctx.flow)", kCtx, true), "False");
  EXPECT_EQ(Eval("'%s' % ctx.flow.label", kCtx, true), "\"None\"");
  EXPECT_EQ(Eval("type(ctx.flow.kind)", kCtx, true), "\"NoneType\"");
  // Known fields keep their values.
  EXPECT_EQ(Eval("ctx.branch_name + ctx.env.A", kCtx, true), "\"main1\"");
  EXPECT_EQ(Eval("ctx.env.B == None", kCtx, true), "True");
  // Other structs keep failing on a missing field.
  EXPECT_EQ(Eval("ctx.brnch_name", kCtx, true), "error: ctx has no field 'brnch_name'");
  // Operations that need a real value still fail.
  EXPECT_EQ(Eval("ctx.flow.seq.own + 1", kCtx, true), "error: unknown binary op: NoneType + int");
}

TEST(Unknown, StrictCtxFailsOnMissingFieldsAndNone) {
  EXPECT_EQ(Eval("ctx.flow == None", kCtx, false), "True");
  EXPECT_EQ(Eval("ctx.env.B", kCtx, false), "error: ctx.env has no field 'B'");
  EXPECT_EQ(Eval("ctx.flow.data", kCtx, false), "error: NoneType has no .data field or method");
  EXPECT_EQ(Eval("[s for s in ctx.flow]", kCtx, false), "error: NoneType value is not iterable");
}

TEST(Unknown, ConvertsToJsonNull) {
  auto v = EvalExpression("{'a': ctx.flow.data.x, 'b': [ctx.run]}",
                          {{"ctx", StructFromJson("ctx", kCtx, EnvIsLenient())}});
  ASSERT_TRUE(v) << v.error().message;
  auto json = ToJson(*v);
  ASSERT_TRUE(json);
  EXPECT_EQ(json->dump(), R"({"a":null,"b":[null]})");
}

}  // namespace
}  // namespace kraken::starlark
