// The reconcile arithmetic and per-machine verdicts, on plain values and a fake clock.
#include "autoscale/policy.h"

#include <gtest/gtest.h>

#include <deque>

namespace kraken::autoscale {
namespace {

class PolicyTest : public ::testing::Test {
 protected:
  Machine& Add(MachineState s, const std::string& system = "any", Millis idle_since = 0) {
    Machine m;
    m.id = static_cast<Id>(pool_.size() + 1);
    m.state = s;
    m.system = system;
    m.idle_since = idle_since;
    pool_.push_back(m);
    return pool_.back();
  }
  PlanInput Input(int64_t limit, std::map<std::string, int64_t> queued) {
    PlanInput in;
    in.limit = limit;
    in.queued = queued;
    for (auto& [k, v] : queued) in.order.push_back(k);
    for (const Machine& m : pool_) in.machines.push_back(&m);
    return in;
  }
  std::deque<Machine> pool_;
};

TEST_F(PolicyTest, OneMachinePerQueuedJobUpToTheLimit) {
  Plan p = MakePlan(Input(2, {{"any", 10}}));
  EXPECT_EQ(p.create.size(), 2u);
  EXPECT_EQ(p.waiting_for_limit["any"], 8);
}

TEST_F(PolicyTest, IdleAndComingMachinesAreSupply) {
  Add(MachineState::kIdle);
  Add(MachineState::kBooting);
  Add(MachineState::kRequested);
  Plan p = MakePlan(Input(10, {{"any", 5}}));
  EXPECT_EQ(p.create.size(), 2u);
}

TEST_F(PolicyTest, BusyMachinesAreNotSupplyButCountAgainstTheLimit) {
  Add(MachineState::kBusy);
  Add(MachineState::kBusy);
  Plan p = MakePlan(Input(3, {{"any", 4}}));
  EXPECT_EQ(p.create.size(), 1u);
}

TEST_F(PolicyTest, EveryLiveStateCountsAgainstTheLimit) {
  for (MachineState s : {MachineState::kRequested, MachineState::kProvisioning,
                         MachineState::kDraining, MachineState::kTerminating})
    Add(s);
  Add(MachineState::kGone);
  Add(MachineState::kFailed);
  EXPECT_EQ(MakePlan(Input(4, {{"any", 9}})).create.size(), 0u);
  EXPECT_EQ(MakePlan(Input(5, {{"any", 9}})).create.size(), 1u);
}

TEST_F(PolicyTest, ManySystemsShareTheLimitRoundRobin) {
  PlanInput in = Input(5, {{"a", 10}, {"b", 10}, {"c", 1}});
  Plan p = MakePlan(in);
  ASSERT_EQ(p.create.size(), 5u);
  EXPECT_EQ(std::count(p.create.begin(), p.create.end(), "a"), 2);
  EXPECT_EQ(std::count(p.create.begin(), p.create.end(), "b"), 2);
  EXPECT_EQ(std::count(p.create.begin(), p.create.end(), "c"), 1);
}

TEST_F(PolicyTest, WarmPoolAddsIdleMachinesOfTheDefaultSystem) {
  PlanInput in = Input(5, {});
  in.min_idle = 2;
  EXPECT_EQ(MakePlan(in).create.size(), 2u);
  Add(MachineState::kIdle);
  in = Input(5, {{"any", 3}});
  in.min_idle = 2;
  EXPECT_EQ(MakePlan(in).create.size(), 4u);  // 3 queued − 1 idle + 2 warm
}

TEST_F(PolicyTest, BackoffCapsCreations) {
  PlanInput in = Input(5, {{"any", 5}});
  in.max_creates = 1;
  EXPECT_EQ(MakePlan(in).create.size(), 1u);
  in.max_creates = 0;
  EXPECT_EQ(MakePlan(in).create.size(), 0u);
}

TEST_F(PolicyTest, AShrunkLimitReclaimsIdleThenDrainsBusy) {
  Add(MachineState::kBusy);
  Add(MachineState::kIdle, "any", 100);
  Add(MachineState::kBusy);
  Plan p = MakePlan(Input(1, {}));
  EXPECT_EQ(p.reclaim, std::vector<Id>{2});
  EXPECT_EQ(p.drain.size(), 1u);
  EXPECT_TRUE(p.create.empty());
}

TEST_F(PolicyTest, IdleMachinesOfAnotherSystemMakeRoomWhenFull) {
  Add(MachineState::kIdle, "old-image");
  Add(MachineState::kBusy, "new-image");
  Plan p = MakePlan(Input(2, {{"new-image", 3}}));
  EXPECT_TRUE(p.create.empty());
  EXPECT_EQ(p.reclaim, std::vector<Id>{1});
}

TEST_F(PolicyTest, HundredsOfJobsNeverExceedTheLimit) {
  for (int round = 0; round < 50; ++round) {
    PlanInput in = Input(7, {{"a", 300}, {"b", 200}});
    Plan p = MakePlan(in);
    for (const std::string& s : p.create) Add(MachineState::kRequested, s);
    int64_t alive = 0;
    for (const Machine& m : pool_) alive += IsAlive(m.state);
    ASSERT_LE(alive, 7);
    if (round % 3 == 0 && !pool_.empty()) pool_.front().state = MachineState::kGone;
  }
}

TEST(JudgeTest, BootTimeout) {
  FakeClock clock;
  Deployment d;
  d.boot_timeout = 60;
  Machine m;
  m.state = MachineState::kBooting;
  m.boot_deadline = clock.Now() + 60'000;
  Judgement j = Judge(m, d, false, clock.Now());
  EXPECT_EQ(j.verdict, Verdict::kKeep);
  EXPECT_EQ(j.next_check, m.boot_deadline);
  clock.Advance(60'000);
  j = Judge(m, d, false, clock.Now());
  EXPECT_EQ(j.verdict, Verdict::kTerminate);
  EXPECT_NE(j.why.find("boot timeout"), std::string::npos);
}

TEST(JudgeTest, IdleTimeAndJobCount) {
  FakeClock clock;
  Deployment d;
  d.destroy_after_idle_minutes = 0.5;
  d.destroy_after_jobs = 3;
  Machine m;
  m.state = MachineState::kIdle;
  m.idle_since = clock.Now();
  m.job_count = 2;
  EXPECT_EQ(Judge(m, d, false, clock.Now()).next_check, clock.Now() + 30'000);
  clock.Advance(29'999);
  EXPECT_EQ(Judge(m, d, false, clock.Now()).verdict, Verdict::kKeep);
  clock.Advance(1);
  EXPECT_EQ(Judge(m, d, false, clock.Now()).verdict, Verdict::kTerminate);
  m.idle_since = clock.Now();
  m.job_count = 3;
  EXPECT_EQ(Judge(m, d, false, clock.Now()).verdict, Verdict::kTerminate);
  d.destroy_after_jobs = 0;
  d.destroy_after_idle_minutes = 0;
  clock.Advance(1'000'000'000);
  EXPECT_EQ(Judge(m, d, false, clock.Now()).verdict, Verdict::kKeep);
}

TEST(JudgeTest, ABusyMachineIsNeverTerminated) {
  Deployment d;
  d.destroy_after_jobs = 1;
  d.destroy_after_idle_minutes = 0.001;
  Machine m;
  m.state = MachineState::kBusy;
  m.job_count = 5;
  m.boot_deadline = 1;
  EXPECT_EQ(Judge(m, d, false, 1'000'000'000'000).verdict, Verdict::kDrain);
  EXPECT_EQ(Judge(m, d, true, 1'000'000'000'000).verdict, Verdict::kDrain);
  d.destroy_after_jobs = 0;
  EXPECT_EQ(Judge(m, d, false, 1'000'000'000'000).verdict, Verdict::kKeep);
}

TEST(JudgeTest, AChangedDeploymentReplacesIdleMachines) {
  Deployment d;
  Machine m;
  m.state = MachineState::kIdle;
  EXPECT_EQ(Judge(m, d, true, 0).verdict, Verdict::kTerminate);
}

}  // namespace
}  // namespace kraken::autoscale
