// End to end: the real server and real agents run flows over loopback.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

class EngineE2E : public ::testing::Test {
 protected:
  void Boot(int agents, const std::string& db = {}) {
    dir_ = TempDir("engine");
    server_ = std::make_unique<ServerProcess>(dir_, db);
    server_->Start();
    api_ = std::make_unique<Api>(server_->url());
    api_->Login();
    for (int i = 0; i < agents; ++i) AddAgent();
    api_->WaitAgents(agents);
  }
  void AddAgent() {
    int n = static_cast<int>(agents_.size()) + 1;
    agents_.push_back(
        std::make_unique<AgentProcess>(server_->url(), dir_ + "/agent" + std::to_string(n),
                                       api_->RegistrationToken(), "agent-" + std::to_string(n)));
    agents_.back()->Start();
  }
  void TearDown() override {
    agents_.clear();
    server_.reset();
    if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_);
  }
  int64_t StartFlow(int64_t branch, const Json& args = Json::object()) {
    Json f = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                      Json{{"kind", "ci"}, {"args", args}});
    return f["id"];
  }
  static std::vector<Json> Jobs(const Json& flow) {
    std::vector<Json> out;
    for (const auto& run : flow["runs"])
      for (const auto& job : run["jobs"]) out.push_back(job);
    return out;
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Api> api_;
  std::vector<std::unique_ptr<AgentProcess>> agents_;
};

Json FiftyJobs() {
  Json jobs = Json::array();
  for (int i = 1; i <= 50; ++i) {
    std::string name = "job" + std::to_string(i);
    jobs.push_back(
        {{"name", name},
         {"steps", Json::array({ShellStep("echo " + name + " first"),
                                ShellStep("printf '%s\\n' " + name + "-a " + name + "-b >&2")})},
         {"environments", AnyEnvironment()}});
  }
  return Json{{"parent", "root"}, {"triggers", {{"parent", true}}}, {"jobs", jobs}};
}

void ExpectFiftyJobsDone(Api& api, const Json& flow) {
  auto runs = flow["runs"];
  ASSERT_EQ(runs.size(), 1u);
  ASSERT_EQ(runs[0]["jobs"].size(), 50u);
  std::set<int64_t> agents;
  for (const auto& job : runs[0]["jobs"]) {
    EXPECT_EQ(job["completion_status"], "ok") << job.dump();
    agents.insert(job["agent_id"].get<int64_t>());
    std::string name = job["name"];
    std::string log = api.Text("/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/log");
    EXPECT_EQ(log, name + " first\n" + name + "-a\n" + name + "-b\n");
  }
  EXPECT_GT(agents.size(), 1u) << "jobs should spread over the agents";
}

TEST_F(EngineE2E, FiftyShellJobsOverFourAgents) {
  Boot(4);
  int64_t branch = api_->CreateBranch("p", "main");
  api_->CreateStage(branch, "build", FiftyJobs());
  int64_t flow = StartFlow(branch);
  Json done = api_->WaitFlowCompleted(flow);
  ExpectFiftyJobsDone(*api_, done);
  EXPECT_EQ(done["runs"][0]["jobs_error"], 0);
}

TEST_F(EngineE2E, ParentChildChainRunsInOrderAndStopsOnError) {
  Boot(2);
  int64_t branch = api_->CreateBranch("p", "main");
  auto stage = [&](const std::string& name, const std::string& parent, const std::string& cmd) {
    api_->CreateStage(branch, name,
                      Json{{"parent", parent},
                           {"triggers", {{"parent", true}}},
                           {"jobs", Json::array({Json{{"name", name + "-job"},
                                                      {"steps", Json::array({ShellStep(cmd)})},
                                                      {"environments", AnyEnvironment()}}})}});
  };
  stage("build", "root", "echo build");
  stage("test", "build", "echo test");
  stage("deploy", "test", "echo deploy");
  int64_t flow = StartFlow(branch);
  Json done = api_->WaitFlowCompleted(flow);
  ASSERT_EQ(done["runs"].size(), 3u);
  // Each child starts after its parent finished.
  for (int i = 1; i < 3; ++i) {
    EXPECT_EQ(done["runs"][i]["reason"]["run_id"], done["runs"][i - 1]["id"]);
    EXPECT_GE(done["runs"][i]["created"].get<int64_t>(),
              done["runs"][i - 1]["finished"].get<int64_t>());
  }

  // Now the middle stage fails: deploy must not start.
  Json test_stage;
  for (const auto& s : api_->Ok("GET", "/api/v1/branches/" + std::to_string(branch) + "/stages"))
    if (s["name"] == "test") test_stage = s;
  Json schema = test_stage["schema"];
  schema["jobs"][0]["steps"][0]["cmd"] = "echo failing; exit 3";
  api_->Ok("PUT", "/api/v1/stages/" + std::to_string(test_stage["id"].get<int64_t>()),
           Json{{"schema", schema}});
  int64_t flow2 = StartFlow(branch);
  Json failed = api_->WaitFlowCompleted(flow2);
  ASSERT_EQ(failed["runs"].size(), 2u) << failed.dump(1);
  EXPECT_EQ(failed["runs"][1]["stage_name"], "test");
  EXPECT_EQ(failed["runs"][1]["jobs_error"], 1);
  EXPECT_EQ(failed["runs"][1]["jobs"][0]["completion_status"], "step-error");
}

TEST_F(EngineE2E, StepsAfterAFailureFollowTheirWhenInTheSameWorkspace) {
  Boot(1);
  int64_t branch = api_->CreateBranch("p", "main");
  api_->CreateStage(
      branch, "build",
      Json{{"jobs",
            Json::array({Json{
                {"name", "j"},
                {"steps",
                 Json::array({ShellStep("echo made > file.txt; exit 1"), ShellStep("echo skipped"),
                              ShellStep("cat file.txt", {{"when", "always"}}),
                              ShellStep("echo on-error", {{"when", "was_any_error"}})})},
                {"environments", AnyEnvironment()}}})}});
  Json done = api_->WaitFlowCompleted(StartFlow(branch));
  Json job = done["runs"][0]["jobs"][0];
  Json steps =
      api_->Ok("GET", "/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/steps");
  EXPECT_EQ(steps[0]["status"], "error");
  EXPECT_EQ(steps[0]["retcode"], 1);
  EXPECT_EQ(steps[1]["status"], "skipped");
  EXPECT_EQ(steps[2]["status"], "done");
  EXPECT_EQ(steps[3]["status"], "done");
  EXPECT_EQ(api_->Text("/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/log"),
            "made\non-error\n");
  EXPECT_EQ(job["completion_status"], "step-error");
}

TEST_F(EngineE2E, ABackgroundStepRunsAlongsideTheNextStepsAndEndsWithTheJob) {
  Boot(1);
  int64_t branch = api_->CreateBranch("p", "main");
  // The background step serves a file the next step waits for, then would sleep for long.
  std::string serve = "echo serving; echo up > ready; sleep 1002.5";
  std::string wait = "for i in $(seq 100); do [ -f ready ] && break; sleep 0.1; done; cat ready";
  api_->CreateStage(
      branch, "build",
      Json{{"jobs",
            Json::array({Json{
                {"name", "j"},
                {"steps", Json::array({ShellStep(serve, {{"background", true}}), ShellStep(wait)})},
                {"environments", AnyEnvironment()}}})}});
  Json done = api_->WaitFlowCompleted(StartFlow(branch));
  Json job = done["runs"][0]["jobs"][0];
  EXPECT_EQ(job["completion_status"], "ok") << job.dump();
  std::string id = std::to_string(job["id"].get<int64_t>());
  Json steps = api_->Ok("GET", "/api/v1/jobs/" + id + "/steps");
  EXPECT_EQ(steps[0]["status"], "done");
  EXPECT_EQ(steps[1]["status"], "done");
  std::string log = api_->Text("/api/v1/jobs/" + id + "/log");
  EXPECT_NE(log.find("[background step 0] serving\n"), std::string::npos) << log;
  EXPECT_NE(log.find("up\n"), std::string::npos) << log;
  EXPECT_TRUE(WaitFor([] { return ProcessesWith("1002.5").empty(); }, std::chrono::seconds(5)))
      << "the background step outlived its job";
}

TEST_F(EngineE2E, StepTimeoutKillsTheWholeProcessTree) {
  Boot(1);
  int64_t branch = api_->CreateBranch("p", "main");
  // Background sleeps, and one that escapes into its own session.
  std::string cmd =
      "sleep 1001.25 & sleep 1001.25 & (setsid sleep 1001.25 &); echo started; sleep 1001.25";
  api_->CreateStage(
      branch, "build",
      Json{{"jobs", Json::array({Json{{"name", "slow"},
                                      {"steps", Json::array({ShellStep(cmd, {{"timeout", 2}})})},
                                      {"environments", AnyEnvironment()}}})}});
  Json done = api_->WaitFlowCompleted(StartFlow(branch));
  Json job = done["runs"][0]["jobs"][0];
  EXPECT_EQ(job["completion_status"], "step-timeout");
  EXPECT_TRUE(WaitFor([] { return ProcessesWith("1001.25").empty(); }, std::chrono::seconds(5)))
      << ProcessesWith("1001.25").size() << " sleep processes survived the timeout";
}

TEST_F(EngineE2E, CancelStopsARunningStepWithinASecond) {
  Boot(1);
  int64_t branch = api_->CreateBranch("p", "main");
  api_->CreateStage(
      branch, "build",
      Json{{"jobs",
            Json::array({Json{{"name", "long"},
                              {"steps", Json::array({ShellStep("echo begin; sleep 1002.5")})},
                              {"environments", AnyEnvironment()}}})}});
  int64_t flow = StartFlow(branch);
  Json running = api_->WaitFlow(flow, [](const Json& f) {
    return !f["runs"].empty() && !f["runs"][0]["jobs"].empty() &&
           f["runs"][0]["jobs"][0]["state"] == "assigned";
  });
  int64_t job_id = running["runs"][0]["jobs"][0]["id"];
  ASSERT_TRUE(WaitFor([] { return !ProcessesWith("1002.5").empty(); }, std::chrono::seconds(10)));
  auto start = std::chrono::steady_clock::now();
  Json cancelled = api_->Ok("POST", "/api/v1/jobs/" + std::to_string(job_id) + "/cancel");
  EXPECT_EQ(cancelled["completion_status"], "user-cancel");
  EXPECT_TRUE(WaitFor([] { return ProcessesWith("1002.5").empty(); }, std::chrono::seconds(1)))
      << "the step was still running a second after the cancel";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  Json done = api_->WaitFlowCompleted(flow);
  EXPECT_EQ(api_->Text("/api/v1/jobs/" + std::to_string(job_id) + "/log"), "begin\n");
  // Cancelling again is an illegal state change.
  auto [status, body] = api_->Call("POST", "/api/v1/jobs/" + std::to_string(job_id) + "/cancel");
  EXPECT_EQ(status, 409);
  // The agent is free again: a rerun completes (this time we cancel nothing).
  Json rerun = api_->Ok("POST", "/api/v1/jobs/" + std::to_string(job_id) + "/rerun");
  EXPECT_EQ(rerun["state"], "queued");
}

TEST_F(EngineE2E, AgentKilledMidJobTheJobCompletesOnAnother) {
  Boot(2);
  int64_t branch = api_->CreateBranch("p", "main");
  api_->CreateStage(
      branch, "build",
      Json{{"jobs",
            Json::array({Json{{"name", "victim"},
                              {"steps", Json::array({ShellStep("echo start; sleep 2; echo end")})},
                              {"environments", AnyEnvironment()}}})}});
  int64_t flow = StartFlow(branch);
  Json running = api_->WaitFlow(flow, [](const Json& f) {
    return !f["runs"].empty() && f["runs"][0]["jobs"][0]["state"] == "assigned";
  });
  int64_t first_agent = running["runs"][0]["jobs"][0]["agent_id"];
  // Agents are named agent-N after their process's place in agents_.
  Json victim = api_->Ok("GET", "/api/v1/agents/" + std::to_string(first_agent));
  std::string name = victim["name"];
  size_t index = std::stoul(name.substr(name.find('-') + 1)) - 1;
  ASSERT_LT(index, agents_.size());
  agents_[index]->Kill();
  Json done = api_->WaitFlowCompleted(flow, std::chrono::seconds(60));
  Json job = done["runs"][0]["jobs"][0];
  EXPECT_EQ(job["completion_status"], "ok") << job.dump();
  EXPECT_EQ(job["attempt"], 2);
  EXPECT_NE(job["agent_id"], first_agent);
  EXPECT_NE(job["notes"].get<std::string>().find("lost"), std::string::npos) << job["notes"];
  EXPECT_EQ(api_->Text("/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/log"),
            "start\nend\n");
  Json lost = api_->Ok("GET", "/api/v1/agents/" + std::to_string(first_agent));
  EXPECT_EQ(lost["state"], "lost");
}

TEST_F(EngineE2E, ServerKilledMidFlowLosesNoJobAndNoLogLine) {
  Boot(3);
  int64_t branch = api_->CreateBranch("p", "main");
  Json jobs = Json::array();
  for (int i = 1; i <= 6; ++i)
    jobs.push_back(
        {{"name", "j" + std::to_string(i)},
         {"steps",
          Json::array({ShellStep("for n in $(seq 1 40); do echo line-$n; sleep 0.05; done"),
                       ShellStep("echo second-step")})},
         {"environments", AnyEnvironment()}});
  api_->CreateStage(branch, "build", Json{{"jobs", jobs}});
  int64_t flow = StartFlow(branch);
  api_->WaitFlow(flow, [](const Json& f) {
    return !f["runs"].empty() && f["runs"][0]["jobs"][0]["state"] == "assigned";
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  server_->Kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  server_->Start();
  api_->Login();
  Json done = api_->WaitFlowCompleted(flow, std::chrono::seconds(90));
  std::string expected;
  for (int n = 1; n <= 40; ++n) expected += "line-" + std::to_string(n) + "\n";
  expected += "second-step\n";
  for (const auto& job : Jobs(done)) {
    EXPECT_EQ(job["completion_status"], "ok") << job.dump();
    EXPECT_EQ(api_->Text("/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/log"),
              expected)
        << "job " << job["name"];
  }
}

TEST_F(EngineE2E, BadRequestsGetAClearError) {
  Boot(0);
  auto expect = [&](const std::string& method, const std::string& path, const Json& body,
                    int status, const std::string& field) {
    auto [got, json] = api_->Call(method, path, body);
    EXPECT_EQ(got, status) << method << " " << path << " -> " << json.dump();
    ASSERT_TRUE(json.is_object() && json.contains("error")) << json.dump();
    EXPECT_FALSE(json["error"]["message"].get<std::string>().empty());
    if (!field.empty()) {
      EXPECT_EQ(json["error"].value("field", ""), field) << json.dump();
    }
  };
  expect("POST", "/api/v1/projects", Json{{"name", 5}}, 400, "name");
  expect("POST", "/api/v1/projects", Json::object(), 400, "name");
  expect("GET", "/api/v1/projects/999", nullptr, 404, "");
  expect("GET", "/api/v1/projects/abc", nullptr, 400, "id");
  int64_t branch = api_->CreateBranch("p", "main");
  expect("POST", "/api/v1/projects", Json{{"name", "p"}}, 409, "name");
  Json bad = FiftyJobs();
  bad["jobs"][3]["steps"][0].erase("cmd");
  expect("POST", "/api/v1/branches/" + std::to_string(branch) + "/stages",
         Json{{"name", "s"}, {"schema", bad}}, 400, "schema.jobs[3].steps[0].cmd");
  bad = FiftyJobs();
  bad["jobs"][0]["environments"][0]["sytem"] = "x";
  expect("POST", "/api/v1/branches/" + std::to_string(branch) + "/stages",
         Json{{"name", "s"}, {"schema", bad}}, 400, "schema.jobs[0].environments[0].sytem");
  // Nothing was half-written: the branch still has no stage.
  EXPECT_TRUE(api_->Ok("GET", "/api/v1/branches/" + std::to_string(branch) + "/stages").empty());
  expect("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows", Json{{"kind", "nightly"}},
         400, "kind");
  expect("POST", "/api/v1/branches/999/flows", Json::object(), 404, "");
  expect("POST", "/api/v1/jobs/999/cancel", nullptr, 404, "");
  expect("POST", "/agent/v1/poll", Json::object(), 401, "");

  // Malformed JSON body.
  http::Client raw;
  auto r = raw.Request("POST", server_->url() + "/api/v1/auth/login", "{not json", {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  // Unauthenticated access.
  auto u = raw.Request("GET", server_->url() + "/api/v1/projects", "", {});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->status, 401);
}

TEST_F(EngineE2E, LogIsFollowedLiveWhileTheJobRuns) {
  Boot(1);
  int64_t branch = api_->CreateBranch("p", "main");
  api_->CreateStage(
      branch, "build",
      Json{{"jobs",
            Json::array({Json{{"name", "live"},
                              {"steps", Json::array({ShellStep("echo one; sleep 1; echo two")})},
                              {"environments", AnyEnvironment()}}})}});
  int64_t flow = StartFlow(branch);
  Json running = api_->WaitFlow(
      flow, [](const Json& f) { return !f["runs"].empty() && !f["runs"][0]["jobs"].empty(); });
  int64_t job = running["runs"][0]["jobs"][0]["id"];
  Json login = api_->Ok("POST", "/api/v1/tokens", Json{{"name", "follow"}});
  http::Client c;
  std::string got;
  std::vector<std::chrono::steady_clock::time_point> arrivals;
  auto r = c.Stream(server_->url() + "/api/v1/jobs/" + std::to_string(job) + "/log?follow=1",
                    {"Authorization: Bearer " + login["token"].get<std::string>()},
                    [&](std::string_view data) {
                      got += data;
                      arrivals.push_back(std::chrono::steady_clock::now());
                      return true;
                    });
  ASSERT_TRUE(r);
  EXPECT_EQ(got, "one\ntwo\n");
  ASSERT_GE(arrivals.size(), 2u) << "the log came in one piece: it was not streamed";
  EXPECT_GT(arrivals.back() - arrivals.front(), std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace kraken::e2e
