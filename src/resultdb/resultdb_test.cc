// The analysis rules through the real store, on SQLite and PostgreSQL: constructed
// histories of flows on one branch, analysed run by run as the server does.
#include <gtest/gtest.h>

#include <chrono>

#include "core/json_limits.h"
#include "resultdb/result_store.h"
#include "resultdb/user_data.h"
#include "store/store.h"
#include "store/test_db.h"

namespace kraken::resultdb {
namespace {

using results::TestStatus;
constexpr auto P = TestStatus::kPassed;
constexpr auto F = TestStatus::kFailed;

class ResultDb : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string skip;
    db_ = store::TestDatabase::Create(GetParam(), &skip);
    if (!db_) GTEST_SKIP() << skip;
    store_ = std::move(*store::Store::Open(db_->Connect()));
    Project p;
    p.name = "proj";
    p.created = 1;
    project_ = *store_->CreateProject(p);
    Branch b;
    b.project_id = project_.id;
    b.name = b.branch_name = "main";
    b.created = 1;
    branch_ = *store_->CreateBranch(b);
    Stage s;
    s.branch_id = branch_.id;
    s.name = "tests";
    s.created = s.updated = 1;
    stage_ = *store_->CreateStage(s);
    group_ = *store_->FindGroup("all");
    if (!group_) {
      AgentsGroup g{0, "all", std::nullopt, Json{{"method", "manual"}}, 1};
      group_ = *store_->CreateGroup(g);
    }
  }

  // One flow with one run of one job that reported `statuses`; analysed and processed.
  // Returns the run id.
  Id Flow(FlowKind kind, const std::vector<std::pair<std::string, TestStatus>>& statuses) {
    kraken::Flow f;
    f.branch_id = branch_.id;
    f.kind = kind;
    f.seq = f.kind_seq = ++seq_;
    f.created = seq_;
    f = *store_->CreateFlow(f);
    kraken::Run r;
    r.flow_id = f.id;
    r.stage_id = stage_.id;
    r.stage_name = "tests";
    r.state = RunState::kCompleted;
    r.created = seq_;
    r = *store_->CreateRun(r);
    Job j;
    j.run_id = r.id;
    j.name = "unit";
    j.group_id = group_->id;
    j.group_name = "all";
    j.system = "debian-12";
    j.state = JobState::kCompleted;
    j.created = seq_;
    std::vector<Step> steps;
    j = *store_->CreateJob(j, steps);
    std::vector<results::ResultRecord> records;
    for (const auto& [name, st] : statuses)
      records.push_back({name, st, std::nullopt, std::nullopt, "", 0});
    ResultStore rs(store_->db());
    JobScope scope{
        j.id,        r.id,  f.id, branch_.id, stage_.id, group_->id, std::string(Name(kind)),
        "debian-12", "unit"};
    EXPECT_TRUE(*rs.StoreBatch(scope, 0, 0, records, {}, {}, seq_));
    EXPECT_FALSE(*rs.StoreBatch(scope, 0, 0, records, {}, {}, seq_))
        << "a resent batch is stored once";
    auto counters = rs.AnalyzeRun(r, f, seq_);
    EXPECT_TRUE(counters) << counters.error().message;
    last_counters_ = *counters;
    r.state = RunState::kProcessed;
    EXPECT_TRUE(store_->SaveRun(r));
    flows_.push_back(f.id);
    return r.id;
  }

  StoredResult Find(Id run, const std::string& test) {
    ResultStore rs(store_->db());
    ResultFilter f;
    f.name = test;
    f.limit = 10;
    auto page = rs.ListRunResults(run, f);
    EXPECT_TRUE(page);
    for (auto& r : page->first)
      if (r.test_name == test) return r;
    ADD_FAILURE() << test << " not in run " << run;
    return {};
  }

  std::unique_ptr<store::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  Project project_;
  Branch branch_;
  Stage stage_;
  std::optional<AgentsGroup> group_;
  int64_t seq_ = 0;
  RunCountersRow last_counters_;
  std::vector<Id> flows_;
};

TEST_P(ResultDb, NewRegressionFixAndAge) {
  Id r1 = Flow(FlowKind::kCi, {{"a", P}, {"b", P}, {"c", F}});
  EXPECT_EQ(Find(r1, "a").change, 3);  // new
  EXPECT_EQ(last_counters_.tests.new_tests, 3);
  Id r2 = Flow(FlowKind::kCi, {{"a", P}, {"b", F}, {"c", P}, {"d", P}});
  EXPECT_EQ(Find(r2, "a").change, 0);
  EXPECT_EQ(Find(r2, "a").age, 2);
  EXPECT_EQ(Find(r2, "b").change, 2);  // regression
  EXPECT_EQ(Find(r2, "b").age, 1);
  EXPECT_EQ(Find(r2, "c").change, 1);  // fix
  EXPECT_EQ(Find(r2, "d").change, 3);
  EXPECT_EQ(last_counters_.tests.regressions, 1);
  EXPECT_EQ(last_counters_.tests.fixes, 1);
  EXPECT_EQ(last_counters_.tests.new_tests, 1);
  EXPECT_EQ(last_counters_.tests.passed, 3);
  // Relevancy of a fresh, stable, unexplained regression: not passed, not root-caused,
  // failed, instability <= 3, age < 5, regression.
  EXPECT_EQ(Find(r2, "b").relevancy, 6);
  Id r3 = Flow(FlowKind::kCi, {{"a", P}, {"b", F}});
  EXPECT_EQ(Find(r3, "a").age, 3);
  EXPECT_EQ(Find(r3, "b").change, 0);
  EXPECT_EQ(Find(r3, "b").age, 2);
  EXPECT_EQ(Find(r3, "b").instability, 1);
  // A test missing from the latest run still finds its earlier result.
  Id r4 = Flow(FlowKind::kCi, {{"c", F}});
  EXPECT_EQ(Find(r4, "c").change, 2);
}

TEST_P(ResultDb, FlakyTestIsKeptApartFromRegressions) {
  TestStatus pattern[] = {P, F, P, F, P, F};
  Id last = 0;
  for (TestStatus s : pattern) last = Flow(FlowKind::kCi, {{"flappy", s}, {"steady", P}});
  StoredResult r = Find(last, "flappy");
  EXPECT_EQ(r.change, 2);
  EXPECT_TRUE(r.flaky);
  EXPECT_NEAR(r.flip_rate, 1.0, 1e-9);
  EXPECT_EQ(r.instability, 5);
  EXPECT_EQ(last_counters_.tests.regressions, 0);
  EXPECT_EQ(last_counters_.tests.flaky, 1);
  EXPECT_FALSE(Find(last, "steady").flaky);
}

TEST_P(ResultDb, DevFlowComparesWithLatestCiAndStaysOutOfHistory) {
  Flow(FlowKind::kCi, {{"a", P}, {"b", P}});
  Id dev = Flow(FlowKind::kDev, {{"a", F}, {"b", P}});
  EXPECT_EQ(Find(dev, "a").change, 2);
  EXPECT_EQ(Find(dev, "b").age, 2);
  // The next CI flow compares with the CI flow before it, not with the DEV one.
  Id ci = Flow(FlowKind::kCi, {{"a", P}, {"b", P}});
  EXPECT_EQ(Find(ci, "a").change, 0);
  EXPECT_EQ(Find(ci, "a").age, 2);
  ResultStore rs(store_->db());
  auto history = rs.History(Find(ci, "a"), 50, 0);
  ASSERT_TRUE(history);
  EXPECT_EQ(history->second, 2) << "CI history only";
  auto dev_history = rs.History(Find(dev, "a"), 50, 0);
  EXPECT_EQ(dev_history->second, 3) << "a DEV result shows itself, then the CI history";
}

TEST_P(ResultDb, RootCauseCommentCarriesOverUntilThePassingRun) {
  Id r1 = Flow(FlowKind::kCi, {{"broken", F}});
  ResultStore rs(store_->db());
  int before = Find(r1, "broken").relevancy;
  auto c = rs.AddComment(Find(r1, "broken").id, "alice", "a bug in the parser", 2, 10);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ((*c)["state"], "bug-in-product");
  EXPECT_EQ(Find(r1, "broken").relevancy, before - 1);
  Id r2 = Flow(FlowKind::kCi, {{"broken", F}});
  StoredResult second = Find(r2, "broken");
  ASSERT_TRUE(second.comment_id);
  EXPECT_EQ(*second.comment_id, (*c)["id"].get<int64_t>());
  EXPECT_EQ(second.relevancy, before - 1) << "inherits the root cause";
  Id r3 = Flow(FlowKind::kCi, {{"broken", P}});
  EXPECT_FALSE(Find(r3, "broken").comment_id);
  Id r4 = Flow(FlowKind::kCi, {{"broken", F}});
  EXPECT_FALSE(Find(r4, "broken").comment_id) << "the thread ended when the test passed";
}

TEST_P(ResultDb, FiltersAndSorting) {
  Flow(FlowKind::kCi, {{"x::one", P}, {"x::two", P}, {"y::three", F}});
  Id r = Flow(FlowKind::kCi, {{"x::one", F}, {"x::two", P}, {"y::three", F}, {"y::four_%", P}});
  ResultStore rs(store_->db());
  ResultFilter f;
  f.statuses = {2};
  auto failed = rs.ListRunResults(r, f);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->second, 2);
  f = {};
  f.changes = {2};
  EXPECT_EQ(rs.ListRunResults(r, f)->second, 1);
  f = {};
  f.name = "four_%";
  EXPECT_EQ(rs.ListRunResults(r, f)->second, 1) << "LIKE wildcards in the name are literal";
  f = {};
  f.sort = "name";
  f.descending = false;
  f.limit = 2;
  f.offset = 1;
  auto page = rs.ListRunResults(r, f);
  ASSERT_EQ(page->first.size(), 2u);
  EXPECT_EQ(page->first[0].test_name, "x::two");
  EXPECT_EQ(page->first[1].test_name, "y::four_%");
  EXPECT_EQ(page->second, 4);
  f = {};
  f.min_age = 2;
  EXPECT_EQ(rs.ListRunResults(r, f)->second, 2);
  f = {};
  f.sort = "bogus";
  EXPECT_FALSE(rs.ListRunResults(r, f));
}

TEST_P(ResultDb, UserDataScopes) {
  kraken::Flow f;
  f.branch_id = branch_.id;
  f.seq = f.kind_seq = 1;
  f = *store_->CreateFlow(f);
  auto d = ApplyDataChange(*store_, f, {"flow", "set", "/build/ok", true});
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ((*store_->GetFlow(f.id)).data, (Json{{"build", {{"ok", true}}}}));
  ASSERT_TRUE(ApplyDataChange(*store_, f, {"branch-ci", "set", "/", Json{{"n", 1}}}));
  auto p = ApplyDataChange(
      *store_, f,
      {"branch-ci", "jsonpatch", "/", Json::parse(R"([{"op":"replace","path":"/n","value":2}])")});
  ASSERT_TRUE(p);
  EXPECT_EQ((*ReadUserData(store_->db(), "branch-ci", branch_.id))["n"], 2);
  auto bad = ApplyDataChange(*store_, f, {"galaxy", "set", "/", 1});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "scope");
}

TEST_P(ResultDb, UserDataPointerIndexMayOnlyAppend) {
  kraken::Flow f;
  f.branch_id = branch_.id;
  f.seq = f.kind_seq = 1;
  f = *store_->CreateFlow(f);
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(ApplyDataChange(*store_, f, {"flow", "set", "/", Json::array()}));
  using Place = std::pair<std::string, std::string>;
  for (const auto& [scope, pointer] : std::vector<Place>{
           {"flow", "/100000000"}, {"branch", "/list/100000000"}, {"branch", "/a/b/5"}}) {
    auto far = ApplyDataChange(*store_, f, {scope, "set", pointer, 1});
    ASSERT_FALSE(far) << pointer;
    EXPECT_EQ(far.error().field, "json_pointer");
    EXPECT_NE(far.error().message.find("is past the end of an array of 0"), std::string::npos)
        << far.error().message;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  ASSERT_TRUE(ApplyDataChange(*store_, f, {"branch", "set", "/list", Json{1, 2}}));
  EXPECT_FALSE(ApplyDataChange(*store_, f, {"branch", "set", "/list/3", 3}));
  ASSERT_TRUE(ApplyDataChange(*store_, f, {"branch", "set", "/list/2", 3}));
  ASSERT_TRUE(ApplyDataChange(*store_, f, {"branch", "set", "/list/-", 4}));
  ASSERT_TRUE(ApplyDataChange(*store_, f, {"branch", "set", "/m/0/k", "v"}));
  EXPECT_EQ(*ReadUserData(store_->db(), "branch", branch_.id),
            Json::parse(R"({"list": [1, 2, 3, 4], "m": [{"k": "v"}]})"));
  std::string long_pointer;
  for (size_t i = 0; i <= kMaxJsonDepth; ++i) long_pointer += "/a";
  auto deep = ApplyDataChange(*store_, f, {"branch", "set", long_pointer, 1});
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().message, "has 65 parts, more than the limit of 64");
}

TEST_P(ResultDb, UserDataStaysWithinItsSizeAndDepth) {
  kraken::Flow f;
  f.branch_id = branch_.id;
  f.seq = f.kind_seq = 1;
  f = *store_->CreateFlow(f);
  ASSERT_TRUE(
      ApplyDataChange(*store_, f, {"flow", "set", "/", Json{{"a", std::string(1000, 'x')}}}));
  // Copying the whole document into itself doubles it each time: 22 copies would make 4 GB.
  Json doubling = Json::array();
  for (int i = 0; i < 22; ++i)
    doubling.push_back({{"op", "copy"}, {"from", ""}, {"path", "/c" + std::to_string(i)}});
  auto start = std::chrono::steady_clock::now();
  auto grown = ApplyDataChange(*store_, f, {"flow", "jsonpatch", "/", doubling});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  ASSERT_FALSE(grown);
  EXPECT_EQ(grown.error().field, "value");
  EXPECT_NE(grown.error().message.find("more than the limit of 262144"), std::string::npos)
      << grown.error().message;
  EXPECT_EQ(store_->GetFlow(f.id)->data.dump().size(), 1008u);  // unchanged

  auto big =
      ApplyDataChange(*store_, f, {"flow", "set", "/b", std::string(kMaxUserDataBytes, 'y')});
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("more than the limit of 262144"), std::string::npos);

  Json nested = 1;
  for (int i = 0; i < 10; ++i) nested = Json::array({nested});
  std::string pointer;
  for (int i = 0; i < 60; ++i) pointer += "/p";
  auto deep = ApplyDataChange(*store_, f, {"flow", "set", pointer, nested});
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().message, "the data would be nested deeper than 64 levels, the limit");

  Json many = Json::array();
  for (size_t i = 0; i <= kMaxPatchOperations; ++i)
    many.push_back({{"op", "add"}, {"path", "/n"}, {"value", static_cast<int>(i)}});
  auto refused = ApplyDataChange(*store_, f, {"flow", "jsonpatch", "/", many});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("at most 100 operations"), std::string::npos);
  many.erase(many.size() - 1);
  ASSERT_TRUE(ApplyDataChange(*store_, f, {"flow", "jsonpatch", "/", many}));
  EXPECT_EQ(store_->GetFlow(f.id)->data["n"], 99);
}

INSTANTIATE_TEST_SUITE_P(Backends, ResultDb, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace kraken::resultdb
