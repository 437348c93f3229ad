// Matching queued jobs to waiting agents, and the steps they are handed.
#include <gtest/gtest.h>

#include "exec/engine_fixture.h"

namespace kraken::exec {
namespace {

class DispatchTest : public EngineFixture {
 protected:
  Json JobDef(const std::string& name, const std::string& system, const std::string& executor,
              Json steps = Json::array({Json{{"tool", "shell"}, {"cmd", "true"}}})) {
    return Json{
        {"name", name},
        {"steps", std::move(steps)},
        {"environments",
         Json::array({Json{{"system", system}, {"executor", executor}, {"agents_group", "all"}}})}};
  }

  // An authorized agent of group `all`, waiting for work.
  Id ParkAgent(const std::string& name, const std::string& system, bool machine) {
    Agent a;
    a.name = name;
    a.authorized = true;
    a.system = system;
    a.group_ids = {store_->FindGroup("all")->value().id};
    auto created = store_->CreateAgent(a, "hash-" + name);
    EXPECT_TRUE(created);
    engine_->presence().Park(
        {created->id, created->group_ids, system, machine, false, nullptr, nullptr});
    return created->id;
  }

  // Starts a flow of one job with `steps` on a new agent; returns its first dispatch.
  Result<std::optional<Dispatch>> StartJob(const Json& steps, Id* agent) {
    AddStoredStage(
        "s", Json{{"parent", "root"}, {"jobs", Json::array({JobDef("j", "any", "local", steps)})}});
    EXPECT_TRUE(engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object()));
    *agent = ParkAgent("a", "debian-12", false);
    EXPECT_EQ(engine_->SchedulePass(), 1);
    return engine_->Poll(*agent);
  }

  std::string JobOf(Id agent_id) {
    auto agent = store_->GetAgent(agent_id);
    if (!agent || !agent->job_id) return "";
    return store_->GetJob(*agent->job_id)->name;
  }
};

TEST_F(DispatchTest, AMachineTakesOnlyTheJobsOfTheSystemItWasMadeFor) {
  AddStoredStage("s", Json{{"parent", "root"},
                           {"jobs", Json::array({JobDef("on-a", "img-a", "docker"),
                                                 JobDef("on-b", "img-b", "docker")})}});
  ASSERT_TRUE(engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object()));
  // A container made from img-c must not run a job meant for img-a's or img-b's container.
  Id c = ParkAgent("machine-c", "img-c", true);
  EXPECT_EQ(engine_->SchedulePass(), 0);
  Id b = ParkAgent("machine-b", "img-b", true);
  EXPECT_EQ(engine_->SchedulePass(), 1);
  EXPECT_EQ(JobOf(b), "on-b");
  EXPECT_EQ(JobOf(c), "");
  // An agent people installed without a container engine runs steps on its host: it takes
  // no container job, and the job says what it waits for.
  Id plain = ParkAgent("plain", "img-a", false);
  EXPECT_EQ(engine_->SchedulePass(), 0);
  EXPECT_EQ(JobOf(plain), "");
  auto queued = store_->ListQueuedJobs(10, {0, 0});
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ((*queued)[0].wait_reason,
            "no container of img-a in group 'all': executor docker jobs run on machines of a "
            "group deployed with method docker, or on an idle agent with Docker or Podman (none "
            "has one: its host info says \"docker\": false)");
}

TEST_F(DispatchTest, ALocalJobGoesOnlyToItsSystem) {
  AddStoredStage(
      "s", Json{{"parent", "root"}, {"jobs", Json::array({JobDef("j", "ubuntu-24.04", "local")})}});
  ASSERT_TRUE(engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object()));
  ParkAgent("debian", "debian-12", false);
  EXPECT_EQ(engine_->SchedulePass(), 0);
  Id ubuntu = ParkAgent("ubuntu", "ubuntu-24.04", false);
  EXPECT_EQ(engine_->SchedulePass(), 1);
  EXPECT_EQ(JobOf(ubuntu), "j");
}

TEST_F(DispatchTest, StepsWithAndWithoutExpressionsAreEvaluatedInOrder) {
  Json steps = Json::array({
      Json{{"tool", "shell"}, {"cmd", "plain"}},
      Json{{"tool", "shell"}, {"cmd", "dev only"}, {"when", "is_dev"}},
      Json{{"tool", "shell"}, {"cmd", "ci by ctx"}, {"when", "flow.kind == 'ci' and prev_ok"}},
      Json{{"tool", "shell"}, {"cmd", "kind #{flow.kind} on #{env.OS}"}},
      Json{{"tool", "shell"}, {"cmd", "after error"}, {"when", "was_any_error"}},
  });
  Id agent = 0;
  auto d = StartJob(steps, &agent);
  ASSERT_TRUE(d && *d) << (d ? "no dispatch" : d.error().message);
  Id job = (*d)->job.id;
  std::vector<std::string> cmds;
  std::optional<Step> step = (*d)->step;
  while (step) {
    cmds.push_back(step->fields.value("cmd", ""));
    auto next = engine_->FinishStep(agent, job, step->index, StepReport{});
    ASSERT_TRUE(next) << next.error().message;
    step = next->step;
  }
  EXPECT_EQ(cmds, (std::vector<std::string>{"plain", "ci by ctx", "kind ci on debian-12"}));
  auto stored = *store_->ListSteps(job);
  EXPECT_EQ(stored[1].status, StepStatus::kSkipped);
  EXPECT_EQ(stored[4].status, StepStatus::kSkipped);
}

TEST_F(DispatchTest, ABadConditionIsAnErrorOnTheStep) {
  Json steps = Json::array({Json{{"tool", "shell"}, {"cmd", "x"}, {"when", "no_such_name"}}});
  Id agent = 0;
  auto d = StartJob(steps, &agent);
  ASSERT_TRUE(d && *d);
  EXPECT_FALSE((*d)->step);  // nothing to run: the job is over
  auto stored = *store_->ListSteps((*d)->job.id);
  EXPECT_EQ(stored[0].status, StepStatus::kError);
  EXPECT_EQ(stored[0].reason, "bad-when");
  EXPECT_NE(stored[0].message.find("no_such_name"), std::string::npos) << stored[0].message;
}

}  // namespace
}  // namespace kraken::exec
