// Liveness and deadlines run on monotonic time: a wall-clock jump loses no agent and ends
// no job, and a stalled loop gives agents a grace period instead of declaring them lost.
#include <gtest/gtest.h>

#include "exec/engine_fixture.h"

namespace kraken::exec {
namespace {

class LivenessTest : public EngineFixture {
 protected:
  Id NewAgent(const std::string& name) {
    Agent a;
    a.name = name;
    a.authorized = true;
    a.group_ids = {store_->FindGroup("all")->value().id};
    Id id = store_->CreateAgent(a, "hash-" + name)->id;
    engine_->Touch(id);
    return id;
  }
  bool Lost(Id agent) { return store_->GetAgent(agent)->lost; }
  // The watchdog's normal rhythm: one pass a second for `ms`.
  void RunWatchdogFor(Millis ms) {
    for (Millis t = 0; t < ms; t += 1'000) {
      clock_.Advance(1'000);
      engine_->WatchdogPass();
    }
  }
};

TEST_F(LivenessTest, AWallClockJumpLosesNoAgent) {
  Id agent = NewAgent("a");
  engine_->WatchdogPass();
  clock_.Set(clock_.Now() + 3'600'000);  // the system clock is set an hour ahead
  engine_->WatchdogPass();
  EXPECT_FALSE(Lost(agent));
  clock_.Set(clock_.Now() - 7'200'000);  // and two hours back
  RunWatchdogFor(10'000);
  EXPECT_FALSE(Lost(agent));
}

TEST_F(LivenessTest, ASilentAgentIsLostAfterTheTimeout) {
  Id agent = NewAgent("a");
  RunWatchdogFor(engine_->options().agent_timeout - 1'000);
  EXPECT_FALSE(Lost(agent));
  RunWatchdogFor(2'000);
  EXPECT_TRUE(Lost(agent));
}

TEST_F(LivenessTest, AStalledLoopGivesAgentsAGracePeriod) {
  Id agent = NewAgent("a");
  engine_->WatchdogPass();
  // The loop stalls for two agent timeouts: the agent's requests wait unread meanwhile.
  clock_.Advance(2 * engine_->options().agent_timeout);
  engine_->WatchdogPass();
  EXPECT_FALSE(Lost(agent));
  // Heard from after the stall, it stays; still silent a full timeout later, it is lost.
  RunWatchdogFor(engine_->options().agent_timeout - 1'000);
  EXPECT_FALSE(Lost(agent));
  RunWatchdogFor(2'000);
  EXPECT_TRUE(Lost(agent));
}

TEST_F(LivenessTest, AJobDeadlineIgnoresAWallClockJump) {
  Json env = Json::array({Json{{"system", "any"}, {"agents_group", "all"}}});
  AddStoredStage(
      "s", Json{{"parent", "root"},
                {"jobs",
                 Json::array({Json{{"name", "j"},
                                   {"timeout", 60},
                                   {"steps", Json::array({Json{{"tool", "shell"}, {"cmd", "x"}}})},
                                   {"environments", env}}})}});
  ASSERT_TRUE(engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object()));
  Id agent = NewAgent("a");
  auto a = *store_->GetAgent(agent);
  engine_->presence().Park({a.id, a.group_ids, a.system, false, false, nullptr, nullptr});
  ASSERT_EQ(engine_->SchedulePass(), 1);
  auto d = engine_->Poll(agent);
  ASSERT_TRUE(d && *d);
  Id job = (*d)->job.id;
  clock_.Set(clock_.Now() + 3'600'000);
  RunWatchdogFor(5'000);
  EXPECT_EQ(store_->GetJob(job)->state, JobState::kAssigned);
  // 60 s of job timeout and 30 s of slack, really elapsed: the server ends it.
  for (int i = 0; i < 90; ++i) {
    engine_->Touch(agent);
    RunWatchdogFor(1'000);
  }
  EXPECT_EQ(store_->GetJob(job)->state, JobState::kCompleted);
}

}  // namespace
}  // namespace kraken::exec
