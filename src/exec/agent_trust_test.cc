// What the engine takes from an agent: only an authorized agent's reports, for steps the job
// has, with the project's secrets masked; a de-authorized agent's job goes back to the queue.
#include <gtest/gtest.h>

#include "exec/engine_fixture.h"
#include "secrets/project_secrets.h"

namespace kraken::exec {
namespace {

class AgentTrustTest : public EngineFixture {
 protected:
  // A flow of one two-step job on group `all`.
  void StartTwoStepJob() {
    Json env = Json::array({Json{{"system", "any"}, {"agents_group", "all"}}});
    Json steps = Json::array(
        {Json{{"tool", "shell"}, {"cmd", "one"}}, Json{{"tool", "shell"}, {"cmd", "two"}}});
    AddStoredStage(
        "s", Json{{"parent", "root"},
                  {"jobs",
                   Json::array({Json{{"name", "j"}, {"steps", steps}, {"environments", env}}})}});
    ASSERT_TRUE(engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object()));
  }

  Id NewAgent(const std::string& name) {
    Agent a;
    a.name = name;
    a.authorized = true;
    a.system = "debian-12";
    a.group_ids = {store_->FindGroup("all")->value().id};
    return store_->CreateAgent(a, "hash-" + name)->id;
  }

  void Park(Id agent) {
    auto a = *store_->GetAgent(agent);
    engine_->presence().Park({a.id, a.group_ids, a.system, false, false, nullptr, nullptr});
  }

  // The agent parks, gets the job and its first step.
  Dispatch TakeJob(Id agent) {
    Park(agent);
    EXPECT_EQ(engine_->SchedulePass(), 1);
    auto d = engine_->Poll(agent);
    EXPECT_TRUE(d && *d && (*d)->step);
    return **d;
  }

  Job QueuedJob() { return store_->ListQueuedJobs(10, {0, 0})->at(0); }
};

TEST_F(AgentTrustTest, ADeauthorizedAgentsJobIsRequeuedAndItsReportsRefused) {
  StartTwoStepJob();
  Id agent = NewAgent("a");
  Dispatch d = TakeJob(agent);
  ASSERT_TRUE(engine_->AuthorizeAgent(agent, false));

  Job job = *store_->GetJob(d.job.id);
  EXPECT_EQ(job.state, JobState::kQueued);
  EXPECT_FALSE(job.agent_id);
  EXPECT_NE(job.notes.find("de-authorized"), std::string::npos) << job.notes;
  EXPECT_FALSE(store_->GetAgent(agent)->job_id);

  auto finished = engine_->FinishStep(agent, d.job.id, 0, StepReport{});
  ASSERT_FALSE(finished);
  EXPECT_EQ(finished.error().code, ErrorCode::kForbidden);
  auto logged = engine_->AppendLog(agent, d.job.id, 0, 0, "x");
  ASSERT_FALSE(logged);
  EXPECT_EQ(logged.error().code, ErrorCode::kForbidden);
  auto abandoned = engine_->JobAbandoned(agent, d.job.id);
  ASSERT_TRUE(abandoned);
  EXPECT_TRUE(*abandoned);

  // Parked again, it gets no more work; an authorized agent does.
  Park(agent);
  EXPECT_EQ(engine_->SchedulePass(), 0);
  auto none = engine_->Poll(agent);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  Id other = NewAgent("b");
  Dispatch again = TakeJob(other);
  EXPECT_EQ(again.job.id, d.job.id);
}

TEST_F(AgentTrustTest, ReportsForAStepTheJobDoesNotHaveAreRefused) {
  StartTwoStepJob();
  Id agent = NewAgent("a");
  Dispatch d = TakeJob(agent);
  auto logged = engine_->AppendLog(agent, d.job.id, 99, 0, "x");
  ASSERT_FALSE(logged);
  EXPECT_EQ(logged.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(logged.error().field, "step");
  EXPECT_FALSE(engine_->AppendLog(agent, d.job.id, -1, 0, "x"));
  EXPECT_TRUE(engine_->AppendLog(agent, d.job.id, 1, 0, "x"));
  auto finished = engine_->FinishStep(agent, d.job.id, 2, StepReport{});
  ASSERT_FALSE(finished);
  EXPECT_EQ(finished.error().code, ErrorCode::kInvalid);
}

TEST_F(AgentTrustTest, TheServerMasksSecretsInStepMessagesAndLogs) {
  auto box = settings::SecretBox::FromKey(std::string(32, 'k'));
  engine_->set_secret_box(&box);
  auto secret = secrets::SecretFromBody(
      Json{{"name", "tok"}, {"kind", "simple"}, {"secret", "hunter2-s3cret"}}, std::nullopt);
  ASSERT_TRUE(secret);
  ASSERT_TRUE(
      secrets::ProjectSecrets(store_->db(), box).Create(project_.id, *secret, clock_.Now()));
  StartTwoStepJob();
  Id agent = NewAgent("a");
  Dispatch d = TakeJob(agent);

  // An agent that does not mask (an old one, a tool that printed the value) sends it clear.
  ASSERT_TRUE(engine_->AppendLog(agent, d.job.id, 0, 0, "token is hunter2-s3cret\n"));
  StepReport report;
  report.status = StepStatus::kError;
  report.message = "login failed for hunter2-s3cret";
  ASSERT_TRUE(engine_->FinishStep(agent, d.job.id, 0, report));

  auto steps = *store_->ListSteps(d.job.id);
  EXPECT_EQ(steps[0].message, "login failed for ******");
  auto logs = store_->db().Exec("SELECT data FROM log_chunks WHERE job_id = ?", {d.job.id});
  ASSERT_TRUE(logs) << logs.error().message;
  ASSERT_EQ(logs->rows.size(), 1u);
  EXPECT_EQ(logs->rows[0].Text(0), "token is ******\n");
}

TEST_F(AgentTrustTest, AStaleWaitingAgentDoesNotHoldBackAJobAnotherCanTake) {
  StartTwoStepJob();
  Id stale = NewAgent("stale");
  Park(stale);
  // Disabled after it parked: the pass must pass the job on to the next waiting agent.
  auto a = *store_->GetAgent(stale);
  a.disabled = true;
  ASSERT_TRUE(store_->SaveAgent(a));
  Id fresh = NewAgent("fresh");
  Park(fresh);
  EXPECT_EQ(engine_->SchedulePass(), 1);
  EXPECT_TRUE(store_->GetAgent(fresh)->job_id);
  EXPECT_FALSE(store_->GetAgent(stale)->job_id);
}

TEST_F(AgentTrustTest, AQueuedJobSaysWhyEvenWhenNoAgentWaits) {
  StartTwoStepJob();
  ASSERT_TRUE(engine_->presence().waiting().empty());
  engine_->SchedulePass();
  EXPECT_EQ(QueuedJob().wait_reason, "no idle agent in group 'all'");
}

}  // namespace
}  // namespace kraken::exec
