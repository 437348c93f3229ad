// The engine's use of stage code: re-evaluation at run start, configs, labels and the
// stage-level timeout.
#include <gtest/gtest.h>

#include "exec/engine_fixture.h"
#include "workflow/context.h"

namespace kraken::exec {
namespace {

class StageEvalTest : public EngineFixture {
 protected:
  void AddStage(const std::string& code) {
    auto eval = workflow::EvaluateStage(code, "starlark", workflow::SampleContext());
    ASSERT_TRUE(eval) << eval.error().ToString();
    Stage s;
    s.branch_id = branch_.id;
    s.name = "build";
    s.schema_format = "starlark";
    s.schema_code = code;
    s.schema = eval->schema;
    ASSERT_TRUE(store_->CreateStage(s));
  }

  std::vector<Job> Jobs(const Flow& flow) {
    auto runs = *store_->ListRuns(flow.id);
    return runs.empty() ? std::vector<Job>{} : *store_->ListJobs(runs[0].id);
  }
};

TEST_F(StageEvalTest, TheJobListIsEvaluatedAgainAtRunStart) {
  AddStage(R"(def stage(ctx):
    n = 1 if ctx.flow == None else int(ctx.args.N) + (10 if ctx.flow.kind == "dev" else 0)
    return {"parameters": [{"name": "N", "default": "2"}], "run_label": "#{flow.kind}-#{N}",
            "flow_label": "L#{KK_FLOW_SEQ}",
            "jobs": [{"name": "j%d" % i, "steps": [{"tool": "shell", "cmd": "true"}],
                      "environments": [{"system": "#{env.OS}", "agents_group": "all"}]} for i in range(n)]}
)");
  auto ci = engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object());
  ASSERT_TRUE(ci) << ci.error().message;
  auto jobs = Jobs(*ci);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].system, "debian-12");
  EXPECT_EQ((*store_->ListRuns(ci->id))[0].label, "ci-2");
  EXPECT_EQ(store_->GetFlow(ci->id)->label, "L1");
  auto dev = engine_->StartFlow(branch_.id, FlowKind::kDev, Json{{"N", "1"}});
  ASSERT_TRUE(dev);
  EXPECT_EQ(Jobs(*dev).size(), 11u);
}

TEST_F(StageEvalTest, ConfigsMultiplyJobsAndSetVariables) {
  AddStage(R"(def stage(ctx):
    return {"configs": [{"name": "gcc", "CC": "gcc"}, {"name": "clang", "CC": "clang"}],
            "jobs": [{"name": "b", "steps": [{"tool": "shell", "cmd": "$CC"}],
                      "environments": [{"system": "any", "agents_group": "all", "config": ["gcc", "clang"]},
                                       {"system": "any", "agents_group": "all", "config": "default"}]}]}
)");
  auto flow = engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object());
  ASSERT_TRUE(flow);
  auto jobs = Jobs(*flow);
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].name, "b [gcc]");
  EXPECT_EQ(jobs[0].env["CC"], "gcc");
  EXPECT_EQ(jobs[1].env["CC"], "clang");
  EXPECT_EQ(jobs[2].name, "b");
  EXPECT_FALSE(jobs[2].env.contains("CC"));  // "default" names no config: no variables
  EXPECT_EQ(jobs[2].env["KK_CONFIG"], "default");
}

// A run whose stage allows 60 s, with one job that would take far longer.
constexpr const char* kSlowStageWithATimeout = R"(def stage(ctx):
    return {"timeout": 60, "jobs": [{"name": "slow", "timeout": 3600,
            "steps": [{"tool": "shell", "cmd": "sleep 1000"}],
            "environments": [{"system": "any", "agents_group": "all"}]}]}
)";

TEST_F(StageEvalTest, AStageTimeoutEndsTheRunsJobs) {
  AddStage(kSlowStageWithATimeout);
  auto flow = engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object());
  ASSERT_TRUE(flow);
  clock_.Advance(59'000);
  engine_->WatchdogPass();
  EXPECT_EQ(Jobs(*flow)[0].state, JobState::kQueued);
  clock_.Advance(2'000);
  engine_->WatchdogPass();
  auto job = Jobs(*flow)[0];
  EXPECT_EQ(job.state, JobState::kCompleted);
  EXPECT_EQ(job.completion, CompletionStatus::kJobTimeout);
  EXPECT_NE(job.notes.find("stage timeout of 60 s"), std::string::npos);
  EXPECT_EQ(store_->GetFlow(flow->id)->state, FlowState::kCompleted);
}

TEST_F(StageEvalTest, AStageTimeoutIgnoresAWallClockJump) {
  AddStage(kSlowStageWithATimeout);
  auto flow = engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object());
  ASSERT_TRUE(flow);
  engine_->WatchdogPass();
  // The wall clock jumps a day ahead: no time has passed, the run goes on.
  clock_.Set(clock_.Now() + 86'400'000);
  engine_->WatchdogPass();
  EXPECT_EQ(Jobs(*flow)[0].state, JobState::kQueued);
  // ... and back by two days: the deadline still comes after 60 s that really elapse.
  clock_.Set(clock_.Now() - 2 * 86'400'000);
  clock_.Advance(61'000);
  engine_->WatchdogPass();
  EXPECT_EQ(Jobs(*flow)[0].completion, CompletionStatus::kJobTimeout);
}

TEST_F(StageEvalTest, ACodeErrorAtRunStartEndsTheRunWithTheError) {
  AddStage(R"(def stage(ctx):
    if ctx.flow != None:
        fail("boom")
    return {"jobs": []}
)");
  auto flow = engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object());
  ASSERT_TRUE(flow);
  auto run = (*store_->ListRuns(flow->id))[0];
  EXPECT_EQ(run.state, RunState::kCompleted);
  EXPECT_EQ(run.note, "schema evaluation failed: build.star:3:13: boom");
}

}  // namespace
}  // namespace kraken::exec
