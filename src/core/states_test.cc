#include "core/states.h"

#include <gtest/gtest.h>

namespace kraken {

TEST(States, NamesRoundTrip) {
  for (auto s :
       {JobState::kQueued, JobState::kAssigned, JobState::kExecutingFinished, JobState::kCompleted})
    EXPECT_EQ(ParseJobState(Name(s)), s);
  for (auto s : {RunState::kCreating, RunState::kInProgress, RunState::kManual,
                 RunState::kCompleted, RunState::kProcessed})
    EXPECT_EQ(ParseRunState(Name(s)), s);
  EXPECT_EQ(ParseCompletionStatus("step-timeout"), CompletionStatus::kStepTimeout);
  EXPECT_EQ(ParseStepStatus("skipped"), StepStatus::kSkipped);
  EXPECT_FALSE(ParseFlowKind("nightly").has_value());
}

TEST(States, OnlyOkIsNotAnError) {
  EXPECT_FALSE(IsError(CompletionStatus::kOk));
  EXPECT_TRUE(IsError(CompletionStatus::kStepError));
  EXPECT_TRUE(IsError(CompletionStatus::kAgentLost));
}

}  // namespace kraken
