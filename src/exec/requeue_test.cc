// A job re-queued after its agent was lost starts over: what its lost attempt reported
// (log, test results, issues) is dropped, so the attempt that completes reports its own.
#include <gtest/gtest.h>

#include "exec/engine_fixture.h"
#include "resultdb/result_store.h"

namespace kraken::exec {
namespace {

class RequeueTest : public EngineFixture {
 protected:
  // One job of one step, handed to a new agent; returns the agent.
  Id StartOneJob() {
    Json env = Json::array({Json{{"system", "any"}, {"agents_group", "all"}}});
    AddStoredStage(
        "s",
        Json{{"parent", "root"},
             {"jobs",
              Json::array({Json{{"name", "j"},
                                {"steps", Json::array({Json{{"tool", "shell"}, {"cmd", "true"}}})},
                                {"environments", env}}})}});
    EXPECT_TRUE(engine_->StartFlow(branch_.id, FlowKind::kCi, Json::object()));
    Agent a;
    a.name = "a";
    a.authorized = true;
    a.system = "debian-12";
    a.group_ids = {store_->FindGroup("all")->value().id};
    Id agent = store_->CreateAgent(a, "hash-a")->id;
    engine_->presence().Park({agent, a.group_ids, a.system, false, false, nullptr, nullptr});
    EXPECT_EQ(engine_->SchedulePass(), 1);
    return agent;
  }

  // Stores the step's first result batch, as the agent's results call does.
  Result<bool> ReportTest(Id job_id, results::TestStatus status) {
    KR_ASSIGN(auto job, store_->GetJob(job_id));
    KR_ASSIGN(auto run, store_->GetRun(job.run_id));
    KR_ASSIGN(auto flow, store_->GetFlow(run.flow_id));
    resultdb::JobScope scope{job.id,       run.id, flow.id,    flow.branch_id, run.stage_id,
                             job.group_id, "ci",   job.system, job.name};
    results::ResultRecord r;
    r.test = "suite::test";
    r.status = status;
    results::Issue issue;
    issue.path = "a.cc";
    issue.line = 1;
    issue.message = "unused";
    return resultdb::ResultStore(store_->db())
        .StoreBatch(scope, 0, 0, {r}, {issue}, {Json::object()}, clock_.Now());
  }

  int64_t Count(const std::string& table, Id job_id) {
    auto r = store_->db().Exec("SELECT count(*) FROM " + table + " WHERE job_id = ?", {job_id});
    return r ? r->rows[0].Int(0) : -1;
  }
};

TEST_F(RequeueTest, ALostAttemptsResultsAreDroppedAndTheRetryReportsItsOwn) {
  Id agent = StartOneJob();
  auto first = engine_->Poll(agent);
  ASSERT_TRUE(first && *first);
  Id job = (*first)->job.id;
  ASSERT_TRUE(store_->AppendLog(job, 0, 0, "attempt 1\n", clock_.Now()));
  auto stored = ReportTest(job, results::TestStatus::kFailed);
  ASSERT_TRUE(stored && *stored);

  // The agent restarts mid-step: its poll re-queues the job, and it takes it again.
  auto again = engine_->Poll(agent);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  EXPECT_EQ(store_->GetJob(job)->attempt, 2);
  EXPECT_EQ(Count("log_chunks", job), 0);
  EXPECT_EQ(Count("test_results", job), 0);
  EXPECT_EQ(Count("issues", job), 0);
  EXPECT_EQ(Count("result_batches", job), 0);

  engine_->presence().Park(
      {agent, {store_->FindGroup("all")->value().id}, "debian-12", false, false, nullptr, nullptr});
  EXPECT_EQ(engine_->SchedulePass(), 1);
  auto second = engine_->Poll(agent);
  ASSERT_TRUE(second && *second);
  // The second attempt's batch 0 is stored, not taken for the lost attempt's.
  stored = ReportTest(job, results::TestStatus::kPassed);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(*stored);
  auto status = store_->db().Exec("SELECT status FROM test_results WHERE job_id = ?", {job});
  ASSERT_TRUE(status);
  ASSERT_EQ(status->rows.size(), 1u);
  EXPECT_EQ(status->rows[0].Int(0), static_cast<int>(results::TestStatus::kPassed));
  EXPECT_EQ(Count("issues", job), 1);
}

}  // namespace
}  // namespace kraken::exec
