// Chaos end to end: a flow of many jobs runs over several agents while the server and random
// agents are SIGKILLed at seeded random moments and restarted. Afterwards every job has ended
// once and well, its log holds exactly the lines its step printed, its test results are
// stored once each, and the database is sound.
//
// Replay a failure with the seed the test prints: KRAKEN_CHAOS_SEED=<seed>.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "store/db.h"
#include "store/test_db.h"
#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

using Clock = std::chrono::steady_clock;

struct ChaosPlan {
  int jobs = 0;
  int agents = 0;
  int server_kills = 0;
  int agent_kills = 0;
  std::chrono::seconds deadline{0};
};

uint64_t ChaosSeed() {
  if (const char* s = std::getenv("KRAKEN_CHAOS_SEED"); s && *s) return std::stoull(s);
  return std::random_device{}();
}

std::string JobName(int i) {
  std::string n = std::to_string(i);
  return "j" + std::string(n.size() < 4 ? 4 - n.size() : 0, '0') + n;
}

constexpr int kLines = 4;  // the last one in the third step
constexpr int kTests = 3;
constexpr int kSteps = 3;

// Numbered lines with the job's id and name (pauses between them, so kills land mid-step),
// a mark of the attempt (the shell's pid), and a JUnit report of three test cases named with
// that mark, which the second step collects; the third step prints the last line, after its
// job's results are stored.
Json ChaosJob(int i) {
  std::string name = JobName(i);
  auto line = [&](int n) {
    return "echo \"$KK_JOB_ID " + name + " line " + std::to_string(n) + "\"; ";
  };
  std::string cmd;
  for (int n = 1; n < kLines; ++n) cmd += line(n) + (n == 1 ? "sleep 0.05; " : "");
  cmd += "echo \"$KK_JOB_ID " + name + " mark $$\"; ";
  cmd += "printf '%s\\n' '<testsuite>";
  for (int t = 1; t <= kTests; ++t)
    cmd += "<testcase classname=\"" + name + "\" name=\"t" + std::to_string(t) + "-'$$'\"/>";
  cmd += "</testsuite>' > report.xml";
  return {{"name", name},
          {"steps", Json::array({ShellStep(cmd),
                                 Json{{"tool", "junit_collect"}, {"file_glob", "report.xml"}},
                                 ShellStep("sleep 0.05; " + line(kLines))})},
          {"environments", AnyEnvironment()}};
}

// The mark a job's log holds, or "" without one.
std::string MarkIn(const std::string& log, int64_t id, const std::string& name) {
  std::string prefix = std::to_string(id) + " " + name + " mark ";
  size_t at = log.find(prefix);
  if (at == std::string::npos) return "";
  at += prefix.size();
  return log.substr(at, log.find('\n', at) - at);
}

std::string ExpectedLog(int64_t id, const std::string& name, const std::string& mark) {
  auto line = [&](int n) {
    return std::to_string(id) + " " + name + " line " + std::to_string(n) + "\n";
  };
  std::string out;
  for (int n = 1; n < kLines; ++n) out += line(n);
  out += std::to_string(id) + " " + name + " mark " + mark + "\n";
  out += "junit_collect: " + std::to_string(kTests) +
         " test cases from 1 of 1 files matching 'report.xml'\n";
  return out + line(kLines);
}

// A kill, due once `at` jobs of the flow have completed.
struct Kill {
  int at = 0;
  bool server = false;
};

// An agent process, and when to bring it back after a kill.
struct AgentSlot {
  std::unique_ptr<AgentProcess> process;
  std::string name;
  bool alive = false;
  int restart_at = 0;  // completed jobs
};

class ChaosE2E : public ::testing::Test {
 protected:
  void TearDown() override {
    agents_.clear();
    server_.reset();
    if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void Run(const ChaosPlan& plan, const std::string& db_url) {
    uint64_t seed = ChaosSeed();
    std::cout << "chaos seed: " << seed << " (replay: KRAKEN_CHAOS_SEED=" << seed << ")\n";
    SCOPED_TRACE("chaos seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    auto started = Clock::now();

    dir_ = TempDir("chaos");
    // Killed agents are noticed after 3 s of silence (the harness's --agent-timeout); a
    // job may be interrupted by every kill and must still end well.
    server_ = std::make_unique<ServerProcess>(dir_, db_url,
                                              std::vector<std::string>{"--job-retries", "100"});
    server_->Start();
    api_ = std::make_unique<Api>(server_->url());
    api_->Login();
    for (int i = 0; i < plan.agents; ++i) {
      AgentSlot slot;
      slot.name = "agent-" + std::to_string(i + 1);
      slot.process = std::make_unique<AgentProcess>(server_->url(), dir_ + "/" + slot.name,
                                                    api_->RegistrationToken(), slot.name);
      slot.process->Start();
      slot.alive = true;
      agents_.push_back(std::move(slot));
    }
    api_->WaitAgents(plan.agents);
    std::map<int64_t, size_t> slot_of;  // agent id -> slot
    for (const auto& a : api_->Ok("GET", "/api/v1/agents"))
      for (size_t i = 0; i < agents_.size(); ++i)
        if (a["name"] == agents_[i].name) slot_of[a["id"].get<int64_t>()] = i;

    int64_t branch = api_->CreateBranch("chaos", "main");
    Json jobs = Json::array();
    for (int i = 1; i <= plan.jobs; ++i) jobs.push_back(ChaosJob(i));
    api_->CreateStage(branch, "build", Json{{"jobs", jobs}});
    Json flow = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                         Json{{"kind", "ci"}});
    int64_t flow_id = flow["id"];
    Json with_run = api_->WaitFlow(flow_id, [](const Json& f) { return !f["runs"].empty(); });
    ASSERT_FALSE(with_run["runs"].empty());
    std::string run_jobs =
        "/api/v1/runs/" + std::to_string(with_run["runs"][0]["id"].get<int64_t>()) + "/jobs";

    // The kills, at seeded random points of the flow's progress.
    std::vector<Kill> kills;
    std::uniform_int_distribution<int> when(plan.jobs * 3 / 100, plan.jobs * 9 / 10);
    for (int i = 0; i < plan.server_kills; ++i) kills.push_back({when(rng), true});
    for (int i = 0; i < plan.agent_kills; ++i) kills.push_back({when(rng), false});
    std::sort(kills.begin(), kills.end(), [](const Kill& a, const Kill& b) { return a.at < b.at; });
    std::uniform_int_distribution<int> downtime(0, plan.jobs / 25);  // in completed jobs

    // Progress is read from the database (cheap, unlike listing every job through the API);
    // the jobs agents run from the agents list, right before a kill.
    std::string db = DbUrl(db_url);
    auto progress = store::OpenDb(db);
    ASSERT_TRUE(progress) << progress.error().message;
    auto completed_jobs = [&] {
      auto r = (*progress)->Exec("SELECT count(*) FROM jobs WHERE state = 'completed'");
      return r && !r->rows.empty() ? static_cast<int>(r->rows[0].Int(0)) : -1;
    };
    size_t next_kill = 0;
    int server_kills_mid_job = 0;
    std::vector<int64_t> agent_kill_victims;  // the job each killed agent was running
    int completed = 0;
    auto deadline = Clock::now() + plan.deadline;
    while (Clock::now() < deadline) {
      completed = completed_jobs();
      for (auto& slot : agents_)
        if (!slot.alive && completed >= slot.restart_at) {
          slot.process->Start();
          slot.alive = true;
        }
      if (completed == plan.jobs) break;
      while (next_kill < kills.size() && kills[next_kill].at <= completed) {
        auto [status, agents] = api_->Call("GET", "/api/v1/agents");
        ASSERT_EQ(status, 200) << agents.dump();
        std::vector<std::pair<size_t, int64_t>> busy;  // slot, job
        for (const auto& a : agents) {
          auto it = slot_of.find(a["id"].get<int64_t>());
          if (a["job_id"].is_number() && it != slot_of.end() && agents_[it->second].alive)
            busy.push_back({it->second, a["job_id"].get<int64_t>()});
        }
        if (kills[next_kill].server) {
          server_kills_mid_job += !busy.empty();
          std::cout << "kill server at " << completed << " completed, " << busy.size()
                    << " jobs running\n";
          server_->Kill();
          server_->Start();
          api_->Login();
          ++next_kill;
          continue;
        }
        // An agent running a job, picked at random; none right now: try at the next look.
        int alive = 0;
        for (const auto& slot : agents_) alive += slot.alive;
        if (busy.empty() || alive < 2) break;
        auto [victim, job] = busy[std::uniform_int_distribution<size_t>(0, busy.size() - 1)(rng)];
        // In its first step (log lines half shipped) or its last (test results stored); a job
        // that ends first spares its agent: another is picked at the next look.
        int step = std::bernoulli_distribution(0.5)(rng) ? 0 : kSteps - 1;
        if (!StepRunning(job, step)) break;
        std::cout << "kill " << agents_[victim].name << " at " << completed << " completed, job "
                  << job << " in step " << step << "\n";
        agents_[victim].process->Kill();
        agents_[victim].alive = false;
        agents_[victim].restart_at = completed + downtime(rng);
        agent_kill_victims.push_back(job);
        ++next_kill;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(completed, plan.jobs)
        << "jobs still not completed after " << plan.deadline.count() << " s";
    EXPECT_EQ(next_kill, kills.size()) << "not every kill landed";
    Json done = api_->WaitFlowCompleted(flow_id);

    // Every job ended once, well, with exactly its lines; count the kills that cut a job short.
    std::map<int64_t, Json> by_id;
    for (const auto& j : api_->Ok("GET", run_jobs)) by_id[j["id"].get<int64_t>()] = j;
    ASSERT_EQ(by_id.size(), static_cast<size_t>(plan.jobs));
    int agent_kills_mid_job = 0;
    for (int64_t victim : agent_kill_victims)
      agent_kills_mid_job += by_id[victim]["attempt"].get<int64_t>() > 1;
    int retried = 0;
    std::map<int64_t, std::set<std::string>> expected_tests;
    for (const auto& [id, job] : by_id) {
      std::string name = job["name"];
      EXPECT_EQ(job["completion_status"], "ok") << job.dump();
      retried += job["attempt"].get<int64_t>() > 1;
      std::string log = api_->Text("/api/v1/jobs/" + std::to_string(id) + "/log");
      std::string mark = MarkIn(log, id, name);
      EXPECT_EQ(log, ExpectedLog(id, name, mark))
          << "job " << id << " " << name << ": " << job.dump();
      for (int t = 1; t <= kTests; ++t)
        expected_tests[id].insert(name + "::t" + std::to_string(t) + "-" + mark);
    }

    for (auto& slot : agents_) slot.process.reset();
    server_->Stop();
    auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started);
    std::cout << "chaos: " << plan.jobs << " jobs over " << plan.agents << " agents in "
              << elapsed.count() << " s; server kills " << kills.size() - agent_kill_victims.size()
              << " (" << server_kills_mid_job << " mid-job), agent kills "
              << agent_kill_victims.size() << " (" << agent_kills_mid_job << " mid-job), "
              << retried << " jobs retried\n";
    RecordProperty("seed", std::to_string(seed));
    RecordProperty("seconds", static_cast<int>(elapsed.count()));

    progress->reset();
    ExpectSoundDatabase(db, plan.jobs, expected_tests);
  }

  // Waits until step `step` of `job` runs; false once it is past it (or after 5 s).
  bool StepRunning(int64_t job, int step) {
    std::string path = "/api/v1/jobs/" + std::to_string(job) + "/steps";
    bool passed = false;
    bool running = WaitFor(
        [&] {
          auto [status, steps] = api_->Call("GET", path);
          if (status != 200 || !steps.is_array() || steps.size() <= static_cast<size_t>(step))
            return passed = true;
          passed = steps[step]["status"] != "not-started" && steps[step]["status"] != "in-progress";
          return passed || steps[step]["status"] == "in-progress";
        },
        std::chrono::seconds(5));
    return running && !passed;
  }

  // The server's database: its SQLite file, or the PostgreSQL database it was given.
  std::string DbUrl(const std::string& db_url) const {
    return db_url.empty() ? "sqlite:" + dir_ + "/server/kraken.db" : db_url;
  }

  // Counts in the database itself: one row per job, step and test result, none left over.
  // `tests`: the test names each job's last attempt reported (its log's mark).
  static void ExpectSoundDatabase(const std::string& url, int jobs,
                                  const std::map<int64_t, std::set<std::string>>& tests) {
    auto db = store::OpenDb(url);
    ASSERT_TRUE(db) << db.error().message;
    auto count = [&](const std::string& sql) -> int64_t {
      auto r = (*db)->Exec(sql);
      EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().message);
      return r && !r->rows.empty() ? r->rows[0].Int(0) : -1;
    };
    EXPECT_EQ(count("SELECT count(*) FROM jobs"), jobs);
    EXPECT_EQ(count("SELECT count(DISTINCT name) FROM jobs"), jobs);
    EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE state = 'completed' AND completion = 'ok' "
                    "AND covered = 0"),
              jobs);
    EXPECT_EQ(count("SELECT count(*) FROM steps"), kSteps * jobs);
    EXPECT_EQ(count("SELECT count(*) FROM steps WHERE status = 'done'"), kSteps * jobs);
    EXPECT_EQ(count("SELECT count(*) FROM test_results"), kTests * jobs);
    EXPECT_EQ(count("SELECT count(*) FROM (SELECT job_id, test_name FROM test_results "
                    "GROUP BY job_id, test_name) t"),
              kTests * jobs);
    // Each job's results are those of the attempt whose log was kept.
    auto stored = (*db)->Exec("SELECT job_id, test_name FROM test_results");
    ASSERT_TRUE(stored) << stored.error().message;
    std::map<int64_t, std::set<std::string>> got;
    for (const auto& row : stored->rows) got[row.Int(0)].insert(row.Text(1));
    EXPECT_EQ(got.size(), tests.size());
    int wrong = 0;
    for (const auto& [job, names] : tests)
      if (got[job] != names && ++wrong == 1)
        ADD_FAILURE() << "job " << job << " has " << got[job].size() << " test results, not "
                      << names.size() << " from its last attempt (e.g. " << *names.begin() << ")";
    EXPECT_EQ(wrong, 0) << "jobs whose stored test results are not those of their last attempt";
    // A job's earlier attempts are recorded once each.
    EXPECT_EQ(count("SELECT count(*) FROM job_attempts"),
              count("SELECT sum(attempt - 1) FROM jobs"));
    if ((*db)->dialect() != store::Dialect::kSqlite) return;
    auto integrity = (*db)->Exec("PRAGMA integrity_check");
    ASSERT_TRUE(integrity);
    ASSERT_EQ(integrity->rows.size(), 1u);
    EXPECT_EQ(integrity->rows[0].Text(0), "ok");
    auto fk = (*db)->Exec("PRAGMA foreign_key_check");
    ASSERT_TRUE(fk);
    EXPECT_TRUE(fk->rows.empty()) << fk->rows.size() << " rows break a foreign key";
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Api> api_;
  std::vector<AgentSlot> agents_;
};

TEST_F(ChaosE2E, SqliteThousandJobsSurviveServerAndAgentKills) {
  Run({.jobs = 1000,
       .agents = 4,
       .server_kills = 3,
       .agent_kills = 6,
       .deadline = std::chrono::seconds(170)},
      "");
}

TEST_F(ChaosE2E, PostgresJobsSurviveServerAndAgentKills) {
  std::string skip;
  auto db = store::TestDatabase::Create("postgresql", &skip);
  if (!db) GTEST_SKIP() << skip;
  Run({.jobs = 100,
       .agents = 3,
       .server_kills = 1,
       .agent_kills = 2,
       .deadline = std::chrono::seconds(150)},
      db->url());
}

}  // namespace
}  // namespace kraken::e2e
