// End to end: autoscaled agents groups with the `local` and `fake` drivers. The real server
// starts real `kraken agent` processes on demand; the tests watch only the public API
// (/api/v1/groups/{id}/machines, /metrics, flows) and the process table.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <thread>

#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

const std::set<std::string> kAlive = {"requested", "provisioning", "booting",    "idle",
                                      "busy",      "draining",     "terminating"};

class AutoscaleE2E : public ::testing::Test {
 protected:
  void Boot() {
    dir_ = TempDir("autoscale");
    server_ = std::make_unique<ServerProcess>(
        dir_, "",
        std::vector<std::string>{"--autoscale-sweep-ms", "1000", "--enable-fake-driver",
                                 "--agents-dir", dir_ + "/agents"});
    server_->Start();
    api_ = std::make_unique<Api>(server_->url());
    api_->Login();
  }
  void TearDown() override {
    StopSampler();
    // Whatever the test left running: the local machines of this server only.
    if (!dir_.empty())
      for (pid_t pid : ProcessesWith(dir_ + "/agents/")) kill(-pid, SIGKILL);
    server_.reset();
    if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_);
  }
  int64_t CreateGroup(const Json& deployment) {
    Json g = api_->Ok("POST", "/api/v1/groups", Json{{"name", "auto"}, {"deployment", deployment}});
    group_ = g["id"];
    return group_;
  }
  void SetDeployment(const Json& deployment) {
    api_->Ok("PUT", "/api/v1/groups/" + std::to_string(group_), Json{{"deployment", deployment}});
  }
  // A branch with one stage of `n` jobs in group `auto` running `cmd`.
  int64_t Branch(const std::string& project, int n, const std::string& cmd) {
    int64_t branch = api_->CreateBranch(project, "main");
    Json jobs = Json::array();
    for (int i = 1; i <= n; ++i)
      jobs.push_back({{"name", "job" + std::to_string(i)},
                      {"timeout", 120},
                      {"steps", Json::array({ShellStep(cmd)})},
                      {"environments", AnyEnvironment("auto")}});
    api_->CreateStage(branch, "build",
                      Json{{"parent", "root"}, {"triggers", {{"parent", true}}}, {"jobs", jobs}});
    return branch;
  }
  int64_t StartFlow(int64_t branch) {
    Json f = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                      Json{{"kind", "ci"}});
    return f["id"];
  }
  Json Machines(Api& api, bool all = false) {
    auto [status, m] = api.Call(
        "GET", "/api/v1/groups/" + std::to_string(group_) + "/machines" + (all ? "?all=true" : ""));
    return status == 200 ? m : Json::array();
  }
  static int Alive(const Json& machines) {
    int n = 0;
    for (const auto& m : machines) n += kAlive.count(m["state"].get<std::string>());
    return n;
  }
  // Local agent processes of this server (their command lines name its agents dir).
  // Agent processes of the machines; a process forked by an agent that has not yet exec'd
  // its step (it still carries the agent's command line) is not another agent.
  int AgentProcesses() {
    auto pids = ProcessesWith(dir_ + "/agents/");
    std::set<pid_t> all(pids.begin(), pids.end());
    int agents = 0;
    for (pid_t pid : pids) {
      std::string line;
      try {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::getline(stat, line);
      } catch (const std::ios_base::failure&) {
        continue;  // the process ended while being read (libstdc++ throws on ESRCH)
      }
      auto paren = line.rfind(')');
      pid_t parent = paren == std::string::npos ? 0 : std::atoi(line.c_str() + paren + 4);
      if (!all.count(parent)) ++agents;
    }
    return agents;
  }
  // Samples the machine records and processes every 50 ms, keeping the maxima.
  void StartSampler() {
    sampling_ = true;
    // Signed in here, while the server is surely up; the thread only reads.
    auto api_ptr = std::make_shared<Api>(server_->url());
    api_ptr->Login();
    sampler_ = std::thread([this, api_ptr] {
      Api& api = *api_ptr;
      while (sampling_) {
        Json m = Machines(api);
        if (m.is_array()) max_records_ = std::max(max_records_.load(), Alive(m));
        max_processes_ = std::max(max_processes_.load(), AgentProcesses());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }
  void StopSampler() {
    sampling_ = false;
    if (sampler_.joinable()) sampler_.join();
  }
  static std::vector<Json> Jobs(const Json& flow) {
    std::vector<Json> out;
    for (const auto& run : flow["runs"])
      for (const auto& job : run["jobs"]) out.push_back(job);
    return out;
  }
  double Metric(const std::string& series) {
    std::string text = api_->Text("/metrics");
    auto at = text.find(series + " ");
    return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size() + 1));
  }
  void ExpectAllOk(const Json& flow, size_t n) {
    auto jobs = Jobs(flow);
    ASSERT_EQ(jobs.size(), n);
    for (const auto& j : jobs) EXPECT_EQ(j["completion_status"], "ok") << j.dump();
  }
  void ExpectAllGone(std::chrono::seconds timeout) {
    bool gone =
        WaitFor([&] { return Alive(Machines(*api_)) == 0 && AgentProcesses() == 0; }, timeout);
    EXPECT_TRUE(gone) << Machines(*api_).dump(1);
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Api> api_;
  int64_t group_ = 0;
  std::atomic<bool> sampling_{false};
  std::atomic<int> max_records_{0}, max_processes_{0};
  std::thread sampler_;
};

TEST_F(AutoscaleE2E, LimitTwoWithTenJobsQueuedAtOnce) {
  Boot();
  CreateGroup({{"method", "local"}, {"instances_limit", 2}, {"destroy_after_idle_minutes", 0.05}});
  int64_t branch = Branch("limit", 10, "sleep 0.3; echo ran");
  StartSampler();
  Json flow = api_->WaitFlowCompleted(StartFlow(branch), std::chrono::seconds(90));
  ExpectAllOk(flow, 10);
  ExpectAllGone(std::chrono::seconds(30));
  StopSampler();
  EXPECT_GE(max_records_, 1);
  EXPECT_LE(max_records_, 2);
  EXPECT_LE(max_processes_, 2);
  // Machines were reused: two at most served ten jobs.
  std::set<int64_t> agents;
  for (const auto& j : Jobs(flow)) agents.insert(j["agent_id"].get<int64_t>());
  EXPECT_LE(agents.size(), 2u);
}

TEST_F(AutoscaleE2E, DestroyAfterOneJobGivesEachJobItsOwnMachine) {
  Boot();
  CreateGroup({{"method", "local"}, {"instances_limit", 2}, {"destroy_after_jobs", 1}});
  int64_t branch = Branch("single", 4, "echo once");
  StartSampler();
  Json flow = api_->WaitFlowCompleted(StartFlow(branch), std::chrono::seconds(90));
  ExpectAllOk(flow, 4);
  ExpectAllGone(std::chrono::seconds(30));
  StopSampler();
  EXPECT_LE(max_records_, 2);
  std::set<int64_t> agents;
  for (const auto& j : Jobs(flow)) agents.insert(j["agent_id"].get<int64_t>());
  EXPECT_EQ(agents.size(), 4u);
  int served = 0;
  for (const auto& m : Machines(*api_, true)) {
    EXPECT_EQ(m["state"], "gone") << m.dump();
    EXPECT_LE(m["job_count"].get<int64_t>(), 1) << m.dump();
    served += m["job_count"].get<int64_t>();
  }
  EXPECT_EQ(served, 4);
}

TEST_F(AutoscaleE2E, ServerKilledWhileCreatingMachinesLeavesNoOrphan) {
  Boot();
  // Each creation takes 1.5 s at the driver, so the kill lands mid-creation.
  CreateGroup({{"method", "fake"},
               {"instances_limit", 3},
               {"destroy_after_idle_minutes", 0.05},
               {"boot_timeout", 20},
               {"fake", {{"boot_delay_ms", 1500}}}});
  int64_t branch = Branch("restart", 6, "sleep 0.5; echo ok");
  int64_t flow_id = StartFlow(branch);
  StartSampler();
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& m : Machines(*api_))
          if (m["state"] == "provisioning") return true;
        return false;
      },
      std::chrono::seconds(20)));
  server_->Kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  server_->Start();
  api_->Login();
  Json flow = api_->WaitFlowCompleted(flow_id, std::chrono::seconds(120));
  ExpectAllOk(flow, 6);
  ExpectAllGone(std::chrono::seconds(40));
  StopSampler();
  EXPECT_LE(max_records_, 3);
  EXPECT_LE(max_processes_, 3);
  bool recovered = false;
  for (const auto& m : Machines(*api_, true))
    for (const auto& t : m["transitions"])
      recovered |= t[2] == "the server restarted while creating it";
  EXPECT_TRUE(recovered) << Machines(*api_, true).dump(1);
}

TEST_F(AutoscaleE2E, FailingDriverBacksOffAndJobsWaitVisibly) {
  Boot();
  Json dep = {{"method", "fake"},
              {"instances_limit", 3},
              {"destroy_after_jobs", 1},
              {"fake", {{"transient_pct", 50}}}};
  CreateGroup(dep);
  int64_t branch = Branch("faults", 4, "echo fine");
  StartSampler();
  ExpectAllOk(api_->WaitFlowCompleted(StartFlow(branch), std::chrono::seconds(90)), 4);

  // Every creation now fails for good: the jobs wait, saying why, and calls back off.
  dep["fake"] = {{"permanent", true}};
  SetDeployment(dep);
  double calls_before = Metric("kraken_machine_create_calls_total{group=\"auto\"}");
  int64_t flow_id = StartFlow(branch);
  Json flow = api_->WaitFlow(
      flow_id,
      [](const Json& f) {
        auto jobs = Jobs(f);
        if (jobs.empty()) return false;
        for (const auto& j : jobs)
          if (j["wait_reason"].get<std::string>().find("group failing: image not found") ==
              std::string::npos)
            return false;
        return true;
      },
      std::chrono::seconds(20));
  std::this_thread::sleep_for(std::chrono::seconds(6));
  double calls = Metric("kraken_machine_create_calls_total{group=\"auto\"}") - calls_before;
  // Three at once, then one probe after 1, 2, 4 s (each jittered down to half at most):
  // at most 7 calls in ~8 s; without backoff it would be hundreds.
  EXPECT_GE(calls, 3);
  EXPECT_LE(calls, 9);
  EXPECT_GE(Metric("kraken_machine_create_errors_total{group=\"auto\",class=\"permanent\"}"), 2);
  EXPECT_EQ(Metric("kraken_group_failing{group=\"auto\"}"), 1);
  for (const auto& j : Jobs(api_->FlowWithJobs(flow_id))) EXPECT_EQ(j["state"], "queued");

  // Fixed: the jobs run.
  dep["fake"] = Json::object();
  SetDeployment(dep);
  ExpectAllOk(api_->WaitFlowCompleted(flow_id, std::chrono::seconds(60)), 4);
  StopSampler();
  EXPECT_LE(max_records_, 3);
  EXPECT_EQ(Metric("kraken_group_failing{group=\"auto\"}"), 0);
}

TEST_F(AutoscaleE2E, AgentKilledMidJobIsReplacedAndTheJobRequeued) {
  Boot();
  CreateGroup({{"method", "local"}, {"instances_limit", 2}, {"destroy_after_idle_minutes", 0.05}});
  int64_t branch = Branch("killed", 1, "sleep 4; echo survived");
  int64_t flow_id = StartFlow(branch);
  api_->WaitFlow(
      flow_id,
      [](const Json& f) {
        auto jobs = Jobs(f);
        return !jobs.empty() && jobs[0]["state"] == "assigned" && !jobs[0]["started"].is_null();
      },
      std::chrono::seconds(30));
  // The agent was started as a daemon: the parent of its double fork may not have exited yet.
  // The agent leads its process group (its sandbox, proc/sandbox.h, is a child in the group).
  std::vector<pid_t> agents;
  ASSERT_TRUE(WaitFor(
      [&] {
        agents.clear();
        for (pid_t pid : ProcessesWith(dir_ + "/agents/"))
          if (getpgid(pid) == pid) agents.push_back(pid);
        return agents.size() == 1;
      },
      std::chrono::seconds(10)))
      << agents.size() << " agent processes";
  kill(agents[0], SIGKILL);
  Json flow = api_->WaitFlowCompleted(flow_id, std::chrono::seconds(60));
  ExpectAllOk(flow, 1);
  EXPECT_EQ(Jobs(flow)[0]["attempt"], 2);
  Json machines = Machines(*api_, true);
  ASSERT_GE(machines.size(), 2u) << machines.dump(1);
  bool lost = false;
  for (const auto& m : machines)
    lost |= m["last_error"] == "its agent was lost" || m["last_error"] == "the machine vanished";
  EXPECT_TRUE(lost) << machines.dump(1);
  ExpectAllGone(std::chrono::seconds(30));
}

TEST_F(AutoscaleE2E, BadDeploymentOptionsAreRejectedNamingTheField) {
  Boot();
  auto [status, body] = api_->Call(
      "POST", "/api/v1/groups",
      Json{{"name", "bad"}, {"deployment", {{"method", "local"}, {"instances_limit", -1}}}});
  EXPECT_EQ(status, 400);
  EXPECT_EQ(body["error"]["field"], "deployment.instances_limit") << body.dump();
  CreateGroup({{"method", "local"}});
  auto [s2, b2] = api_->Call("PUT", "/api/v1/groups/" + std::to_string(group_),
                             Json{{"deployment", {{"method", "local"}, {"boot_timeout", "soon"}}}});
  EXPECT_EQ(s2, 400);
  EXPECT_EQ(b2["error"]["field"], "deployment.boot_timeout") << b2.dump();
  // /metrics needs no sign-in and speaks Prometheus text.
  http::Client c;
  auto r = c.Request("GET", server_->url() + "/metrics", "", {}, std::chrono::seconds(5));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("kraken_jobs_queued{group=\"auto\"} 0"), std::string::npos) << r->body;
}

}  // namespace
}  // namespace kraken::e2e
