// End to end: the agent protocol of a real server, spoken by the test as an agent would (or
// as a hostile or outdated one might). A newer poll of an agent is not lost to an older
// one's end; reports about steps a job does not have, oversized artifacts, upload URLs of
// ended jobs and a de-authorized agent's reports are refused; secrets the agent did not
// mask are masked by the server.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>

#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

using Millis = std::chrono::milliseconds;

constexpr char kSecret[] = "Pa55-w0rd-e2e-9c1";

class AgentProtocolE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("agent-protocol");
    server_ = std::make_unique<ServerProcess>(dir_ + "/server");
    server_->Start();
    api_ = std::make_unique<Api>(server_->url());
    api_->Login();
    Json reg = Post("/agent/v1/register",
                    Json{{"name", "raw"}, {"registration_token", api_->RegistrationToken()}})
                   .second;
    token_ = reg["token"];
    agent_id_ = reg["agent_id"];
  }
  void TearDown() override {
    server_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  // An agent call with this agent's token: {status, body}; status 0 on transport failure.
  std::pair<int, Json> Post(const std::string& path, const Json& body,
                            Millis timeout = Millis(30'000)) {
    http::Client client;
    std::vector<std::string> headers = {"Content-Type: application/json"};
    if (!token_.empty()) headers.push_back("Authorization: Bearer " + token_);
    auto r = client.Request("POST", server_->url() + path, body.dump(), headers, timeout);
    if (!r) return {0, Json()};
    return {r->status, Json::parse(r->body, nullptr, false)};
  }

  // A flow of one two-step job on group `all`; returns the flow id.
  int64_t StartTwoStepFlow() {
    int64_t branch = api_->CreateBranch("p", "main");
    project_ = ProjectOf(*api_, branch);
    api_->CreateStage(
        branch, "s",
        Json{
            {"parent", "root"},
            {"jobs", Json::array({Json{{"name", "j"},
                                       {"steps", Json::array({ShellStep("one"), ShellStep("two")})},
                                       {"environments", AnyEnvironment()}}})}});
    Json f = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                      Json{{"kind", "ci"}});
    return f["id"];
  }

  // Polls until the job comes; returns the dispatch.
  Json TakeJob() {
    for (int i = 0; i < 10; ++i) {
      auto [status, d] = Post("/agent/v1/poll?wait=5000", Json::object());
      EXPECT_EQ(status, 200) << d.dump();
      if (d.contains("job") && !d["job"].is_null()) return d;
    }
    ADD_FAILURE() << "no job came";
    return Json();
  }

  std::string JobPath(const Json& d, const std::string& rest) {
    return "/agent/v1/jobs/" + std::to_string(d["job"]["id"].get<int64_t>()) + rest;
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Api> api_;
  std::string token_;
  int64_t agent_id_ = 0;
  int64_t project_ = 0;
};

TEST_F(AgentProtocolE2E, ANewerPollIsWokenThoughAnOlderOneOfTheAgentEnded) {
  // The agent's first poll goes away (its connection cut) long before its wait is over...
  auto [cut, _] = Post("/agent/v1/poll?wait=1500", Json::object(), Millis(300));
  EXPECT_EQ(cut, 0);
  // ...and the agent polls again, for long.
  auto second = std::async(std::launch::async,
                           [this] { return Post("/agent/v1/poll?wait=20000", Json::object()); });
  // The first poll's wait ends on the server while the second is parked.
  std::this_thread::sleep_for(Millis(2'500));
  auto queued_at = std::chrono::steady_clock::now();
  StartTwoStepFlow();
  ASSERT_EQ(second.wait_for(Millis(10'000)), std::future_status::ready)
      << "the job waited for the agent's poll to time out";
  auto [status, d] = second.get();
  ASSERT_EQ(status, 200) << d.dump();
  ASSERT_TRUE(d.contains("job") && !d["job"].is_null()) << d.dump();
  EXPECT_LT(std::chrono::steady_clock::now() - queued_at, Millis(5'000));
}

TEST_F(AgentProtocolE2E, ReportsOutsideTheJobAndOversizedArtifactsAreRefused) {
  StartTwoStepFlow();
  Json d = TakeJob();
  auto [log99, log_body] = Post(JobPath(d, "/logs"), Json{{"step", 99}, {"seq", 0}, {"data", "x"}});
  EXPECT_EQ(log99, 400) << log_body.dump();
  EXPECT_EQ(log_body["error"]["field"], "step");
  auto [res99, res_body] =
      Post(JobPath(d, "/results"), Json{{"step", 99}, {"seq", 0}, {"results", Json::array()}});
  EXPECT_EQ(res99, 400) << res_body.dump();
  auto [fin99, fin_body] = Post(JobPath(d, "/steps/99/finish"), Json{{"status", "done"}});
  EXPECT_EQ(fin99, 400) << fin_body.dump();

  // A petabyte declared: refused before anything is recorded.
  auto [huge, huge_body] = Post(
      JobPath(d, "/artifacts/upload"),
      Json{{"files",
            Json::array({Json{{"path", "a.bin"}, {"size", int64_t{1'000'000'000'000'000}}}})}});
  EXPECT_EQ(huge, 400) << huge_body.dump();
  EXPECT_NE(huge_body["error"]["message"].get<std::string>().find("at most"), std::string::npos);

  // An upload URL dies with its job.
  auto [ok, grant] = Post(JobPath(d, "/artifacts/upload"),
                          Json{{"files", Json::array({Json{{"path", "b.txt"}, {"size", 4}}})}});
  ASSERT_EQ(ok, 200) << grant.dump();
  std::string url = server_->url() + grant["files"][0]["url"].get<std::string>();
  for (int step : {0, 1})
    ASSERT_EQ(
        Post(JobPath(d, "/steps/" + std::to_string(step) + "/finish"), Json{{"status", "done"}})
            .first,
        200);
  http::Client client;
  auto put = client.Request("PUT", url, "late", {"Content-Type: application/octet-stream"});
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 403) << put->body;
}

TEST_F(AgentProtocolE2E, ADeauthorizedAgentIsRefusedAndItsJobRequeued) {
  StartTwoStepFlow();
  Json d = TakeJob();
  int64_t job = d["job"]["id"];
  api_->Ok("PATCH", "/api/v1/agents/" + std::to_string(agent_id_), Json{{"authorized", false}});
  auto [fin, fin_body] = Post(JobPath(d, "/steps/0/finish"), Json{{"status", "done"}});
  EXPECT_EQ(fin, 403) << fin_body.dump();
  auto [log, log_body] = Post(JobPath(d, "/logs"), Json{{"step", 0}, {"seq", 0}, {"data", "x"}});
  EXPECT_EQ(log, 403) << log_body.dump();
  auto [res, res_body] =
      Post(JobPath(d, "/results"), Json{{"step", 0}, {"seq", 0}, {"results", Json::array()}});
  EXPECT_EQ(res, 403) << res_body.dump();
  Json j = api_->Ok("GET", "/api/v1/jobs/" + std::to_string(job));
  EXPECT_EQ(j["state"], "queued") << j.dump();
  EXPECT_TRUE(j["agent_id"].is_null()) << j.dump();
  // Its parked poll gets nothing.
  auto [poll, poll_body] = Post("/agent/v1/poll?wait=0", Json::object());
  EXPECT_EQ(poll, 200);
  EXPECT_TRUE(poll_body["job"].is_null()) << poll_body.dump();

  // Deleted, an agent's token is refused.
  api_->Ok("DELETE", "/api/v1/agents/" + std::to_string(agent_id_));
  EXPECT_EQ(Post("/agent/v1/poll?wait=0", Json::object()).first, 401);
}

// host_info is the agent's to write: a "docker" that is not a boolean means no engine,
// and the agent's parked polls are answered as any other's.
TEST_F(AgentProtocolE2E, AnOddDockerFieldInHostInfoMeansNoEngine) {
  for (const Json& odd : {Json("yes"), Json(1), Json::object(), Json(nullptr)}) {
    auto [hello, hello_body] = Post("/agent/v1/hello", Json{{"host_info", {{"docker", odd}}}});
    ASSERT_EQ(hello, 200) << hello_body.dump();
    auto [poll, poll_body] = Post("/agent/v1/poll?wait=100", Json::object());
    EXPECT_EQ(poll, 200) << odd.dump() << ": " << poll_body.dump();
    EXPECT_TRUE(poll_body["job"].is_null()) << poll_body.dump();
  }
}

TEST_F(AgentProtocolE2E, SecretsAnAgentSendsUnmaskedAreStoredMasked) {
  int64_t flow = StartTwoStepFlow();
  api_->Ok("POST", "/api/v1/projects/" + std::to_string(project_) + "/secrets",
           Json{{"name", "pw"}, {"kind", "simple"}, {"secret", kSecret}});
  Json d = TakeJob();
  std::string leak = std::string("connect with ") + kSecret + " failed";
  Json results =
      Json::array({Json{{"test", "t1"}, {"status", 1}, {"message", leak}, {"cmd", leak}}});
  Json issues = Json::array({Json{{"path", "a.py"}, {"line", 1}, {"message", leak}}});
  auto [stored, body] =
      Post(JobPath(d, "/results"),
           Json{{"step", 0}, {"seq", 0}, {"results", results}, {"issues", issues}});
  ASSERT_EQ(stored, 200) << body.dump();
  ASSERT_EQ(Post(JobPath(d, "/steps/0/finish"), Json{{"status", "error"}, {"message", leak}}).first,
            200);
  Json f = api_->WaitFlowCompleted(flow);
  int64_t run = f["runs"][0]["id"];
  int64_t job = d["job"]["id"];
  for (const std::string& path : {"/api/v1/runs/" + std::to_string(run) + "/results",
                                  "/api/v1/runs/" + std::to_string(run) + "/issues",
                                  "/api/v1/jobs/" + std::to_string(job) + "/steps"}) {
    std::string seen = api_->Ok("GET", path).dump();
    EXPECT_EQ(seen.find(kSecret), std::string::npos) << path << ": " << seen;
    EXPECT_NE(seen.find("connect with ******"), std::string::npos) << path << ": " << seen;
  }
}

}  // namespace
}  // namespace kraken::e2e
