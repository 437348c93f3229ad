// Regression: a stage whose stored schema no longer validates was skipped silently at flow
// start, and the flow, with no run, ended as if it had succeeded. Now the stage gets a run
// that ends at once in error with the validation message.
#include <gtest/gtest.h>

#include "exec/engine_fixture.h"

namespace kraken::exec {
namespace {

using InvalidStageTest = EngineFixture;

const Json kBadJob = {{"name", "j"}, {"steps", Json::array()}, {"environments", Json::array()}};

TEST_F(InvalidStageTest, TheFlowShowsTheStageInErrorInsteadOfSkippingIt) {
  AddStoredStage("broken", Json{{"parent", "root"}, {"jobs", Json::array({kBadJob})}});
  auto flow = engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object());
  ASSERT_TRUE(flow) << flow.error().message;
  EXPECT_EQ(flow->state, FlowState::kCompleted);
  auto runs = *store_->ListRuns(flow->id);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].stage_name, "broken");
  EXPECT_EQ(runs[0].state, RunState::kCompleted);
  EXPECT_NE(runs[0].note.find("schema evaluation failed"), std::string::npos) << runs[0].note;
  EXPECT_NE(runs[0].note.find("jobs[0].environments: must not be an empty list"), std::string::npos)
      << runs[0].note;
}

TEST_F(InvalidStageTest, AnErrorRunDoesNotEndTheFlowBeforeTheOtherStagesStart) {
  AddStoredStage("a-broken", Json{{"jobs", Json::array({kBadJob})}});
  Json good_job = {
      {"name", "ok"},
      {"steps", Json::array({Json{{"tool", "shell"}, {"cmd", "true"}}})},
      {"environments", Json::array({Json{{"system", "any"}, {"agents_group", "all"}}})}};
  AddStoredStage("b-good", Json{{"parent", "root"}, {"jobs", Json::array({good_job})}});
  // A child of a broken stage that is not a root stage is not started.
  AddStoredStage("c-child", Json{{"parent", "b-good"}, {"jobs", Json::array({kBadJob})}});
  auto flow = engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object());
  ASSERT_TRUE(flow) << flow.error().message;
  EXPECT_EQ(flow->state, FlowState::kInProgress);
  auto runs = *store_->ListRuns(flow->id);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].stage_name, "b-good");
  EXPECT_EQ(runs[1].state, RunState::kInProgress);
}

}  // namespace
}  // namespace kraken::exec
