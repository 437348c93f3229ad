// The store contract suite: every test runs on SQLite and on PostgreSQL.
#include "store/store.h"

#include <gtest/gtest.h>

#include "store/pg_db.h"
#include "store/test_db.h"

namespace kraken::store {
namespace {

class StoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    db_ = TestDatabase::Create(GetParam(), &skip);
    if (!db_) GTEST_SKIP() << skip;
    auto s = Store::Open(db_->Connect());
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
  }

  Branch MakeBranch() {
    auto p = store_->CreateProject(Project{0, "demo", "a project", 1});
    EXPECT_TRUE(p);
    auto b = store_->CreateBranch(Branch{0, p->id, "main", "main", Json{{"A", "1"}}});
    EXPECT_TRUE(b);
    return *b;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContract, MigrationsAreIdempotent) {
  auto again = Store::Open(db_->Connect());
  ASSERT_TRUE(again) << again.error().message;
  auto r = store_->db().Exec("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_TRUE(r);
  EXPECT_GE(r->rows[0].Int(0), 1);
}

TEST_P(StoreContract, ProjectsBranchesStagesRoundTrip) {
  Branch b = MakeBranch();
  auto got = store_->GetBranch(b.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->env["A"], "1");
  EXPECT_EQ(got->name, "main");

  Stage s;
  s.branch_id = b.id;
  s.name = "build";
  s.schema = Json{{"parent", "root"}, {"jobs", Json::array()}};
  auto created = store_->CreateStage(s);
  ASSERT_TRUE(created);
  auto stages = store_->ListStages(b.id);
  ASSERT_TRUE(stages);
  ASSERT_EQ(stages->size(), 1u);
  EXPECT_EQ((*stages)[0].schema["parent"], "root");
  EXPECT_TRUE((*stages)[0].enabled);

  // Duplicate names are a conflict, not a crash.
  auto dup = store_->CreateStage(s);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);

  EXPECT_FALSE(store_->GetStage(9999));
  EXPECT_EQ(store_->GetStage(9999).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, FlowSequencesArePerBranchAndKind) {
  Branch b = MakeBranch();
  auto s1 = store_->NextFlowSeq(b.id, FlowKind::kCi);
  auto s2 = store_->NextFlowSeq(b.id, FlowKind::kDev);
  auto s3 = store_->NextFlowSeq(b.id, FlowKind::kCi);
  ASSERT_TRUE(s1 && s2 && s3);
  EXPECT_EQ(*s1, std::make_pair(int64_t{1}, int64_t{1}));
  EXPECT_EQ(*s2, std::make_pair(int64_t{2}, int64_t{1}));
  EXPECT_EQ(*s3, std::make_pair(int64_t{3}, int64_t{2}));
}

TEST_P(StoreContract, JobsAndStepsRoundTrip) {
  Branch b = MakeBranch();
  auto flow = store_->CreateFlow(Flow{0, b.id, FlowKind::kCi, FlowState::kInProgress, 1, 1});
  ASSERT_TRUE(flow);
  kraken::Run run;
  run.flow_id = flow->id;
  run.stage_name = "build";
  run.state = RunState::kInProgress;
  auto r = store_->CreateRun(run);
  ASSERT_TRUE(r);
  auto group = store_->CreateGroup(AgentsGroup{0, "all"});
  ASSERT_TRUE(group);

  Job job;
  job.run_id = r->id;
  job.name = "compile";
  job.group_id = group->id;
  job.group_name = "all";
  job.created = 10;
  std::vector<Step> steps(2);
  steps[0].tool = "shell";
  steps[0].fields = Json{{"cmd", "echo hi"}};
  steps[1].index = 1;
  steps[1].tool = "shell";
  steps[1].when = "always";
  auto j = store_->CreateJob(job, steps);
  ASSERT_TRUE(j) << j.error().message;
  EXPECT_GT(steps[1].id, steps[0].id);

  auto queued = store_->ListQueuedJobs(10);
  ASSERT_TRUE(queued);
  ASSERT_EQ(queued->size(), 1u);

  j->state = JobState::kAssigned;
  j->agent_id = 42;
  j->assigned = 20;
  ASSERT_TRUE(store_->SaveJob(*j));
  EXPECT_TRUE(store_->ListQueuedJobs(10)->empty());
  auto active = store_->ListActiveJobs();
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ((*active)[0].agent_id, 42);

  steps[0].status = StepStatus::kError;
  steps[0].retcode = 3;
  steps[0].reason = "exit-code";
  ASSERT_TRUE(store_->SaveStep(steps[0]));
  auto listed = store_->ListSteps(j->id);
  ASSERT_TRUE(listed);
  EXPECT_EQ((*listed)[0].status, StepStatus::kError);
  EXPECT_EQ((*listed)[0].retcode, 3);
  EXPECT_FALSE((*listed)[1].retcode.has_value());
  EXPECT_EQ((*listed)[1].when, "always");
  EXPECT_EQ((*listed)[0].fields["cmd"], "echo hi");
}

TEST_P(StoreContract, LogChunksAreDeduplicatedAndOrdered) {
  Branch b = MakeBranch();
  auto flow = store_->CreateFlow(Flow{0, b.id, FlowKind::kCi, FlowState::kInProgress, 1, 1});
  kraken::Run run;
  run.flow_id = flow->id;
  auto r = store_->CreateRun(run);
  Job job;
  job.run_id = r->id;
  std::vector<Step> steps;
  auto j = store_->CreateJob(job, steps);
  ASSERT_TRUE(j);
  EXPECT_TRUE(*store_->AppendLog(j->id, 0, 1, "second\n", 1));
  EXPECT_TRUE(*store_->AppendLog(j->id, 0, 0, "first\n", 1));
  EXPECT_FALSE(*store_->AppendLog(j->id, 0, 0, "first again\n", 1));  // a retried batch
  EXPECT_TRUE(*store_->AppendLog(j->id, 1, 0, "other step\n", 1));
  auto all = store_->ReadLog(j->id, -1);
  ASSERT_TRUE(all);
  std::string text;
  for (auto& c : *all) text += c.data;
  EXPECT_EQ(text, "first\nsecond\nother step\n");
  EXPECT_EQ(store_->ReadLog(j->id, 1)->size(), 1u);
}

// Regression: SaveStep kept the fields a step was created with and SaveRun dropped the
// reason, so callers wrote both with their own SQL.
TEST_P(StoreContract, SaveStepKeepsFieldsAndSaveRunKeepsReason) {
  Branch b = MakeBranch();
  auto flow = store_->CreateFlow(Flow{0, b.id, FlowKind::kCi, FlowState::kInProgress, 1, 1});
  kraken::Run run;
  run.flow_id = flow->id;
  auto r = store_->CreateRun(run);
  ASSERT_TRUE(r);
  r->reason = Json{{"reason", "repo"}, {"commits", {"abc"}}};
  ASSERT_TRUE(store_->SaveRun(*r));
  EXPECT_EQ(store_->GetRun(r->id)->reason, r->reason);

  Job job;
  job.run_id = r->id;
  std::vector<Step> steps(1);
  steps[0].tool = "shell";
  steps[0].fields = Json{{"cmd", "echo #{COUNT}"}};
  auto j = store_->CreateJob(job, steps);
  ASSERT_TRUE(j);
  steps[0].fields = Json{{"cmd", "echo 7"}};
  steps[0].status = StepStatus::kInProgress;
  ASSERT_TRUE(store_->SaveStep(steps[0]));
  auto listed = store_->ListSteps(j->id);
  ASSERT_TRUE(listed);
  EXPECT_EQ((*listed)[0].fields["cmd"], "echo 7");
  EXPECT_EQ((*listed)[0].status, StepStatus::kInProgress);
}

// The queries the engine asks at every job change: the run without its (large) schema,
// the schema on its own, a run's unfinished jobs, and one group's queue in order.
TEST_P(StoreContract, RunSchemaApartQueuePerGroupAndUnfinishedJobs) {
  Branch b = MakeBranch();
  auto flow = store_->CreateFlow(Flow{0, b.id, FlowKind::kCi, FlowState::kInProgress, 1, 1});
  kraken::Run run;
  run.flow_id = flow->id;
  run.state = RunState::kInProgress;
  run.schema = Json{{"jobs", Json::array({Json{{"name", "a"}}})}};
  auto r = store_->CreateRun(run);
  ASSERT_TRUE(r);
  EXPECT_EQ(*store_->GetRunSchema(r->id), run.schema);
  EXPECT_EQ(store_->GetRun(r->id)->schema, Json::object());  // left out on purpose
  r->note = "saved";
  ASSERT_TRUE(store_->SaveRun(*r));  // a run read without its schema keeps it when saved
  EXPECT_EQ(*store_->GetRunSchema(r->id), run.schema);
  EXPECT_FALSE(store_->GetRunSchema(r->id + 100));

  auto g1 = store_->CreateGroup(AgentsGroup{0, "one"});
  auto g2 = store_->CreateGroup(AgentsGroup{0, "two"});
  ASSERT_TRUE(g1 && g2);
  std::vector<Job> jobs;
  for (Id group : {g1->id, g2->id, g1->id}) {
    Job job;
    job.run_id = r->id;
    job.group_id = group;
    std::vector<Step> steps;
    auto j = store_->CreateJob(job, steps);
    ASSERT_TRUE(j);
    jobs.push_back(*j);
  }
  auto first = store_->ListQueuedJobsInGroup(g1->id);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].id, jobs[0].id);
  EXPECT_EQ((*first)[1].id, jobs[2].id);
  EXPECT_EQ(store_->ListQueuedJobsInGroup(g2->id)->size(), 1u);

  EXPECT_TRUE(*store_->RunHasUnfinishedJobs(r->id));
  for (Job& j : jobs) {
    j.state = JobState::kCompleted;
    j.completion = CompletionStatus::kOk;
    ASSERT_TRUE(store_->SaveJob(j));
    EXPECT_EQ(*store_->RunHasUnfinishedJobs(r->id), &j != &jobs.back());
  }
  EXPECT_TRUE(store_->ListQueuedJobsInGroup(g1->id)->empty());
}

TEST_P(StoreContract, AgentsGroupsAndRegistrationTokens) {
  auto g = store_->CreateGroup(AgentsGroup{0, "linux"});
  ASSERT_TRUE(g);
  Agent a;
  a.name = "a1";
  a.group_ids = {g->id};
  a.host_info = Json{{"cpus", 2}};
  auto created = store_->CreateAgent(a, "hash1");
  ASSERT_TRUE(created);
  auto found = store_->FindAgentByToken("hash1");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->group_ids, std::vector<Id>{g->id});
  EXPECT_EQ((*found)->name, "a1");
  // Found by token, the agent comes without its host_info; saving it keeps the stored one.
  EXPECT_TRUE((*found)->host_info.is_null());
  (*found)->lost = true;
  ASSERT_TRUE(store_->SaveAgent(**found));
  EXPECT_EQ(store_->GetAgent(created->id)->host_info["cpus"], 2);
  EXPECT_FALSE(*store_->FindAgentByToken("nope"));
  // A sign of life clears `lost` and says it was set, once.
  EXPECT_TRUE(*store_->TouchAgent(created->id, 777));
  EXPECT_FALSE(*store_->TouchAgent(created->id, 778));
  auto touched = store_->GetAgent(created->id);
  EXPECT_FALSE(touched->lost);
  EXPECT_EQ(touched->last_seen, 778);

  ASSERT_TRUE(store_->CreateRegistrationToken("reg", g->id, std::nullopt, 1000, 1));
  auto used = store_->ConsumeRegistrationToken("reg", 500);
  ASSERT_TRUE(used);
  EXPECT_EQ(used->group_id, g->id);
  EXPECT_FALSE(store_->ConsumeRegistrationToken("reg", 500));  // one-time
  ASSERT_TRUE(store_->CreateRegistrationToken("old", g->id, std::nullopt, 1000, 1));
  EXPECT_FALSE(store_->ConsumeRegistrationToken("old", 2000));  // expired
}

TEST_P(StoreContract, TransactionRollsBackWhenNotCommitted) {
  {
    Transaction tx(store_->db());
    ASSERT_TRUE(store_->CreateProject(Project{0, "temp", "", 1}));
  }
  EXPECT_FALSE(*store_->FindProject("temp"));
  {
    Transaction tx(store_->db());
    ASSERT_TRUE(store_->CreateProject(Project{0, "kept", "", 1}));
    ASSERT_TRUE(tx.Commit());
  }
  EXPECT_TRUE(*store_->FindProject("kept"));
}

TEST_P(StoreContract, SettingsUpsert) {
  ASSERT_TRUE(store_->SetSetting("server_url", "http://a"));
  ASSERT_TRUE(store_->SetSetting("server_url", "http://b"));
  EXPECT_EQ(**store_->GetSetting("server_url"), "http://b");
  EXPECT_FALSE(store_->GetSetting("missing")->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(PgDb, NumbersPlaceholdersOutsideQuotes) {
  EXPECT_EQ(PgDb::NumberPlaceholders("SELECT ? , '?' , ?"), "SELECT $1 , '?' , $2");
}

}  // namespace
}  // namespace kraken::store
