// The scheduler's rules of who takes which job, on plain values: no database, no loop.
#include "exec/assignment.h"

#include <gtest/gtest.h>

#include <set>

namespace kraken::exec {
namespace {

Job MakeJob(Id id, Id group, std::string system = "any", std::string executor = "local") {
  Job job;
  job.id = id;
  job.run_id = id;
  job.group_id = group;
  job.group_name = "g" + std::to_string(group);
  job.system = std::move(system);
  job.executor = std::move(executor);
  return job;
}

IdleAgent MakeAgent(Id id, std::vector<Id> groups, std::string system = "debian-12",
                    bool machine = false, bool containers = false) {
  return IdleAgent{id, std::move(groups), std::move(system), machine, containers};
}

const auto kAnyAgent = [](Id) { return true; };

TEST(AssignmentTest, AJobGoesOnlyToAnAgentOfItsGroup) {
  Assigner assigner({MakeAgent(1, {10}), MakeAgent(2, {20, 30})});
  EXPECT_EQ(assigner.Offer(MakeJob(100, 30), kAnyAgent), 2);
  EXPECT_EQ(assigner.Offer(MakeJob(101, 20), kAnyAgent), std::nullopt);  // 2 is taken
  EXPECT_EQ(assigner.Offer(MakeJob(102, 40), kAnyAgent), std::nullopt);  // nobody in 40
  EXPECT_EQ(assigner.Offer(MakeJob(103, 10), kAnyAgent), 1);
  EXPECT_TRUE(assigner.empty());
}

TEST(AssignmentTest, ASystemJobGoesOnlyToThatSystemAndAnAnyJobToAnySystem) {
  Assigner assigner({MakeAgent(1, {10}, "ubuntu-24.04"), MakeAgent(2, {10}, "ami-0abc", true)});
  EXPECT_EQ(assigner.Offer(MakeJob(100, 10, "ami-0abc"), kAnyAgent), 2);
  EXPECT_EQ(assigner.Offer(MakeJob(101, 10, "ami-0abc"), kAnyAgent), std::nullopt);
  EXPECT_EQ(assigner.Offer(MakeJob(102, 10, "any"), kAnyAgent), 1);
}

TEST(AssignmentTest, AContainerJobRunsOnAMachineMadeForItOrAnAgentWithAnEngine) {
  const Job docker = MakeJob(100, 10, "debian:12", "docker");
  // An agent installed by hand without a container engine would run the steps on its host.
  Assigner by_hand({MakeAgent(1, {10}, "debian:12", false)});
  EXPECT_EQ(by_hand.Offer(docker, kAnyAgent), std::nullopt);
  EXPECT_NE(NoAgentReason(docker).find("or on an idle agent with Docker or Podman"),
            std::string::npos);
  Assigner machines(
      {MakeAgent(1, {10}, "debian:12", false), MakeAgent(2, {10}, "debian:12", true)});
  EXPECT_EQ(machines.Offer(docker, kAnyAgent), 2);
  // One with an engine runs it in a container of the job's image, whatever its own system;
  // a machine made for another image does not.
  Assigner with_engine({MakeAgent(1, {10}, "debian:12", false), MakeAgent(2, {10}, "busybox", true),
                        MakeAgent(3, {10}, "ubuntu-24.04", false, true)});
  EXPECT_EQ(with_engine.Offer(docker, kAnyAgent), 3);
  // A local job still needs the agent's own system.
  Assigner local_job({MakeAgent(3, {10}, "ubuntu-24.04", false, true)});
  EXPECT_EQ(local_job.Offer(MakeJob(101, 10, "debian:12"), kAnyAgent), std::nullopt);
  EXPECT_EQ(NoAgentReason(MakeJob(101, 10, "ubuntu")),
            "no idle agent in group 'g10' with system ubuntu");
  EXPECT_EQ(NoAgentReason(MakeJob(101, 10)), "no idle agent in group 'g10'");
}

TEST(AssignmentTest, AnAgentItsRecordNoLongerAllowsIsDroppedAndTheNextTried) {
  // Agent 1 was disabled (or given a job, or de-authorized) since it parked.
  std::set<Id> asked;
  auto can_take = [&](Id id) {
    asked.insert(id);
    return id != 1;
  };
  Assigner assigner({MakeAgent(1, {10}), MakeAgent(2, {10}), MakeAgent(3, {10})});
  EXPECT_EQ(assigner.Offer(MakeJob(100, 10), can_take), 2);
  EXPECT_EQ(asked, (std::set<Id>{1, 2}));
  // The refused agent is not offered the next job: it left the idle agents.
  EXPECT_EQ(assigner.Offer(MakeJob(101, 10), can_take), 3);
  EXPECT_EQ(asked, (std::set<Id>{1, 2, 3}));
  EXPECT_TRUE(assigner.empty());
  EXPECT_EQ(assigner.Offer(MakeJob(102, 10), can_take), std::nullopt);
}

TEST(AssignmentTest, TheQueueIsServedInOrderAndEachAgentTakesOneJob) {
  // Jobs of two projects' runs, oldest first as the queue gives them: the first two get the
  // two agents, whatever their project; the third waits for the next pass.
  Assigner assigner({MakeAgent(5, {10}), MakeAgent(6, {10})});
  EXPECT_EQ(assigner.Offer(MakeJob(100, 10), kAnyAgent), 5);
  EXPECT_EQ(assigner.Offer(MakeJob(101, 10), kAnyAgent), 6);
  EXPECT_EQ(assigner.Offer(MakeJob(102, 10), kAnyAgent), std::nullopt);
}

TEST(AssignmentTest, AJobThatNoAgentMatchesTakesNoAgentFromTheOthers) {
  Assigner assigner({MakeAgent(1, {10}, "debian-12")});
  EXPECT_EQ(assigner.Offer(MakeJob(100, 10, "windows"), kAnyAgent), std::nullopt);
  EXPECT_FALSE(assigner.empty());
  EXPECT_EQ(assigner.Offer(MakeJob(101, 10), kAnyAgent), 1);
}

}  // namespace
}  // namespace kraken::exec
