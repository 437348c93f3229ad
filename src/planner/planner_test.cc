#include "planner/planner.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "store/test_db.h"
#include "workflow/context.h"
#include "workflow/stage_schema.h"
#include "workflow/triggers.h"

namespace kraken::planner {
namespace {

// Timers driven by the test: the latest After() is the armed one.
class FakeTimers : public Timers {
 public:
  struct FakeHandle : Handle {
    explicit FakeHandle(FakeTimers* t) : timers(t) {}
    ~FakeHandle() override {
      if (timers->armed == this) timers->armed = nullptr;
    }
    FakeTimers* timers;
  };
  std::unique_ptr<Handle> After(Millis delay, std::function<void()> fn) override {
    auto h = std::make_unique<FakeHandle>(this);
    armed = h.get();
    this->delay = delay;
    this->fn = std::move(fn);
    return h;
  }
  Handle* armed = nullptr;
  Millis delay = 0;
  std::function<void()> fn;
};

// Real `git ls-remote`, answered at once (no worker thread).
class SyncGitLister : public RepoLister {
 public:
  void Heads(const std::vector<workflow::RepoDef>& repos,
             std::function<void(Result<Json>)> done) override {
    done(GitRepoLister::ListHeads(repos));
  }
};

Millis At(const std::string& date) { return *workflow::ParseDateMillis(date, "t"); }

class PlannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip;
    db_ = store::TestDatabase::Create("sqlite", &skip);
    ASSERT_TRUE(db_) << skip;
    auto st = store::Store::Open(db_->Connect());
    ASSERT_TRUE(st) << st.error().message;
    store_ = std::move(*st);
    engine_ = std::make_unique<exec::Engine>(*store_, clock_, [](std::function<void()>) {});
    ASSERT_TRUE(engine_->Bootstrap());
    Project p;
    p.name = "p";
    p.created = clock_.Now();
    project_ = *store_->CreateProject(p);
    Branch b;
    b.project_id = project_.id;
    b.name = b.branch_name = "main";
    b.created = clock_.Now();
    branch_ = *store_->CreateBranch(b);
  }

  Id AddStage(const std::string& name, const std::string& code) {
    auto eval = workflow::EvaluateStage(code, "starlark", workflow::SampleContext());
    EXPECT_TRUE(eval) << eval.error().ToString();
    Stage s;
    s.branch_id = branch_.id;
    s.name = name;
    s.schema_format = "starlark";
    s.schema_code = code;
    s.schema = eval->schema;
    s.created = s.updated = clock_.Now();
    auto created = store_->CreateStage(s);
    EXPECT_TRUE(created);
    return created->id;
  }

  std::unique_ptr<Planner> NewPlanner() {
    return std::make_unique<Planner>(*store_, *engine_, clock_, timers_, lister_);
  }

  int64_t Flows() { return *store_->CountFlows(branch_.id, std::nullopt); }

  // Moves the fake clock to the armed timer's time and fires it.
  void RunTimer() {
    ASSERT_TRUE(timers_.armed);
    clock_.Advance(timers_.delay);
    auto fn = timers_.fn;
    fn();
  }

  FakeClock clock_{At("2030-01-01 00:00:00")};
  FakeTimers timers_;
  SyncGitLister lister_;
  std::unique_ptr<store::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<exec::Engine> engine_;
  Project project_;
  Branch branch_;
};

const char* kIntervalStage = R"(def stage(ctx):
    return {"parent": "root", "triggers": {"interval": "10m"}, "jobs": []}
)";

TEST_F(PlannerTest, IntervalFiresOnTimeAndSchedulesTheNext) {
  Id stage = AddStage("every10", kIntervalStage);
  auto planner = NewPlanner();
  ASSERT_TRUE(planner->Start());
  ASSERT_TRUE(timers_.armed);
  EXPECT_EQ(timers_.delay, 600'000);
  auto schedule = planner->Schedule(stage);
  ASSERT_TRUE(schedule);
  EXPECT_EQ((*schedule)["time_zone"], "UTC");
  EXPECT_EQ((*schedule)["triggers"][0]["next_fire_utc"], "2030-01-01T00:10:00Z");
  EXPECT_EQ(Flows(), 0);
  RunTimer();
  EXPECT_EQ(Flows(), 1);
  EXPECT_EQ((*planner->Schedule(stage))["triggers"][0]["next_fire_utc"], "2030-01-01T00:20:00Z");
  RunTimer();
  EXPECT_EQ(Flows(), 2);
}

TEST_F(PlannerTest, CronFiresAtItsMinutesInUtc) {
  Id stage = AddStage("cron", R"(def stage(ctx):
    return {"parent": "root", "triggers": {"cron": "30 2 * * *"}, "jobs": []}
)");
  auto planner = NewPlanner();
  ASSERT_TRUE(planner->Start());
  // The timer is cut into steps of at most an hour; nothing fires before 02:30.
  RunTimer();
  RunTimer();
  EXPECT_EQ(Flows(), 0);
  RunTimer();
  EXPECT_EQ(clock_.Now(), At("2030-01-01 02:30:00"));
  EXPECT_EQ(Flows(), 1);
  EXPECT_EQ((*planner->Schedule(stage))["triggers"][0]["next_fire_utc"], "2030-01-02T02:30:00Z");
}

TEST_F(PlannerTest, DateFiresOnce) {
  Id stage = AddStage("once", R"(def stage(ctx):
    return {"parent": "root", "triggers": {"date": "2030-01-01 00:05:00"}, "jobs": []}
)");
  auto planner = NewPlanner();
  ASSERT_TRUE(planner->Start());
  RunTimer();
  EXPECT_EQ(Flows(), 1);
  EXPECT_FALSE(timers_.armed);
  EXPECT_TRUE((*planner->Schedule(stage))["triggers"][0]["next_fire"].is_null());
}

TEST_F(PlannerTest, RestartNeitherLosesNorRepeatsAFire) {
  Id stage = AddStage("every10", kIntervalStage);
  auto planner = NewPlanner();
  ASSERT_TRUE(planner->Start());
  RunTimer();
  EXPECT_EQ(Flows(), 1);
  // Restart: the next fire time comes from the database, not from the restart time.
  planner.reset();
  clock_.Advance(60'000);
  planner = NewPlanner();
  ASSERT_TRUE(planner->Start());
  EXPECT_EQ(timers_.delay, 540'000);
  EXPECT_EQ(Flows(), 1);
  RunTimer();
  EXPECT_EQ(Flows(), 2);
  // Down across two fire times: one catch-up fire at start, not two.
  planner.reset();
  clock_.Advance(25 * 60'000);
  planner = NewPlanner();
  ASSERT_TRUE(planner->Start());
  EXPECT_EQ(timers_.delay, 0);
  RunTimer();
  EXPECT_EQ(Flows(), 3);
  EXPECT_EQ(timers_.delay, 600'000);

  // A crash after taking a fire but before its flow started: the restart starts it once...
  TriggerStore rows(store_->db());
  auto row = (*rows.List(stage))[0];
  row.pending = row.next_fire;
  ASSERT_TRUE(rows.Save(row));
  planner.reset();
  planner = NewPlanner();
  ASSERT_TRUE(planner->Start());
  EXPECT_EQ(Flows(), 4);
  // ...and a crash after its flow started does not start it again.
  row = (*rows.List(stage))[0];
  EXPECT_EQ(row.pending, 0);
  row.pending = row.next_fire;  // pretend the same fire is pending again
  ASSERT_TRUE(rows.Save(row));
  planner.reset();
  planner = NewPlanner();
  ASSERT_TRUE(planner->Start());
  EXPECT_EQ(Flows(), 4);
}

TEST_F(PlannerTest, StageChangesReplaceTriggers) {
  Id stage = AddStage("every10", kIntervalStage);
  auto planner = NewPlanner();
  ASSERT_TRUE(planner->Start());
  auto s = *store_->GetStage(stage);
  s.schema = workflow::EvaluateStage(R"(def stage(ctx):
    return {"parent": "root", "triggers": {"interval": "1h", "cron": "0 0 * * *"}, "jobs": []}
)",
                                     "starlark", workflow::SampleContext())
                 ->schema;
  ASSERT_TRUE(store_->SaveStage(s));
  ASSERT_TRUE(planner->SyncStage(stage));
  auto triggers = (*planner->Schedule(stage))["triggers"];
  ASSERT_EQ(triggers.size(), 2u);
  EXPECT_EQ(triggers[0]["kind"], "interval");
  EXPECT_EQ(triggers[0]["spec"], 3600);
  EXPECT_EQ(triggers[1]["kind"], "cron");
  ASSERT_TRUE(store_->DeleteStage(stage));
  ASSERT_TRUE(planner->SyncStage(stage));
  EXPECT_TRUE(TriggerStore(store_->db()).List()->empty());
}

TEST_F(PlannerTest, RepoTriggerStartsARunOnlyForNewCommits) {
  namespace fs = std::filesystem;
  fs::path repo = fs::temp_directory_path() / ("kraken-planner-repo-" + std::to_string(getpid()));
  fs::remove_all(repo);
  fs::create_directories(repo);
  std::string git = "git -C " + repo.string() +
                    " -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main ";
  ASSERT_EQ(std::system((git + "init -q && " + git + "commit -q --allow-empty -m one").c_str()), 0);
  Id stage = AddStage("repo",
                      "def stage(ctx):\n    return {\"parent\": \"root\", \"triggers\": "
                      "{\"repo\": {\"url\": \"" +
                          repo.string() +
                          "\", \"branch\": \"main\", \"interval\": \"5m\"}}, \"jobs\": []}\n");
  auto planner = NewPlanner();
  ASSERT_TRUE(planner->Start());
  RunTimer();  // the first poll learns the head
  EXPECT_EQ(Flows(), 0);
  RunTimer();  // nothing new
  EXPECT_EQ(Flows(), 0);
  ASSERT_EQ(std::system((git + "commit -q --allow-empty -m two").c_str()), 0);
  RunTimer();
  ASSERT_EQ(Flows(), 1);
  auto flows = *store_->ListFlows(branch_.id, std::nullopt, 1, 0);
  auto runs = *store_->ListRuns(flows[0].id);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].reason["reason"], "commit to repo");
  EXPECT_EQ(runs[0].reason["commits"][0]["after"].get<std::string>().size(), 40u);
  RunTimer();
  EXPECT_EQ(Flows(), 1);
  EXPECT_EQ((*planner->Schedule(stage))["triggers"][0]["kind"], "repo");
  fs::remove_all(repo);
}

}  // namespace
}  // namespace kraken::planner
