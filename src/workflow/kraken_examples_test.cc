// Kraken CI's example stage schemas (docs/workflow-schema.md; Kraken CI's workflow-examples
// parameters/one.py, artifacts + conditional steps, dynamic-schema/tests.py) evaluate
// unchanged: at save with the lenient ctx, and at run start with the full, strict ctx.
#include "workflow/kraken_examples.h"

#include <gtest/gtest.h>

#include "workflow/context.h"
#include "workflow/stage_schema.h"

namespace kraken::workflow {
namespace {

SourceOptions SaveTime() {
  SourceOptions options;
  options.lenient_ctx = true;
  return options;
}

Json RunContext(const Json& flow_data) {
  Json ctx = SampleContext();
  ctx["flow"] = Json{{"id", 1},
                     {"kind", "ci"},
                     {"label", "1."},
                     {"seq", {{"shared", 1}, {"own", 1}}},
                     {"args", Json::object()},
                     {"data", flow_data},
                     {"created", 0}};
  ctx["is_ci"] = true;
  return ctx;
}

TEST(KrakenExamples, AllSaveUnchanged) {
  for (const char* code : {kExampleParameters, kExampleChildStage, kExampleDynamicFanOut}) {
    auto stage = EvaluateStage(code, "starlark", SampleContext(), SaveTime());
    EXPECT_TRUE(stage) << code << "\n" << stage.error().ToString();
  }
}

TEST(KrakenExamples, DynamicFanOutMakesTheDefaultJobAtSaveAndOneJobPerScopeAtRunTime) {
  auto saved = EvaluateStage(kExampleDynamicFanOut, "starlark", SampleContext(), SaveTime());
  ASSERT_TRUE(saved) << saved.error().ToString();
  ASSERT_EQ(saved->def.jobs.size(), 1u);
  EXPECT_EQ(saved->def.jobs[0].name, "tests scope-default");
  EXPECT_EQ(saved->def.jobs[0].environments[0].systems, std::vector<std::string>{"ubuntu:20.04"});

  Json data = {{"tests", {"unit", "integration"}}, {"systems", {"debian:12", "fedora:40"}}};
  auto run = EvaluateStage(kExampleDynamicFanOut, "starlark", RunContext(data));
  ASSERT_TRUE(run) << run.error().ToString();
  ASSERT_EQ(run->def.jobs.size(), 2u);
  EXPECT_EQ(run->def.jobs[1].name, "tests integration");
  EXPECT_EQ(run->def.jobs[1].environments[0].systems,
            (std::vector<std::string>{"debian:12", "fedora:40"}));
}

TEST(KrakenExamples, RunTimeCtxStaysStrict) {
  // At run time flow.data without `tests` is an error, not silently empty.
  auto run = EvaluateStage(kExampleDynamicFanOut, "starlark", RunContext(Json::object()));
  ASSERT_FALSE(run);
  EXPECT_NE(run.error().message.find("ctx.flow.data has no field 'tests'"), std::string::npos)
      << run.error().message;
  // Without the lenient option the save-time ctx's None flow is an error too.
  auto strict = EvaluateStage(kExampleDynamicFanOut, "starlark", SampleContext());
  ASSERT_FALSE(strict);
  EXPECT_NE(strict.error().message.find("NoneType has no .data field"), std::string::npos)
      << strict.error().message;
}

}  // namespace
}  // namespace kraken::workflow
