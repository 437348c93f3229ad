// End to end: what agents send and fetch stays within bounds. Result and log batches over
// the server's limits are refused with 413; a real agent cuts a flood of large results into
// batches the server accepts; a file larger than the server's streaming piece goes up and
// comes back intact, through the agent and through the REST API.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "core/protocol_limits.h"
#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

// 3 MiB: more than the agent's upload piece (4 MiB is not needed) and many times the
// server's 256 KiB download piece.
constexpr int kBigFileBytes = 3 << 20;
const char* kMakeBigFile =
    "python3 -c \"import sys; sys.stdout.buffer.write(bytes(i * 7 % 251 for i in range(3 << "
    "20)))\" > big.bin";

std::string BigFileContent() {
  std::string out(kBigFileBytes, '\0');
  for (int i = 0; i < kBigFileBytes; ++i) out[i] = static_cast<char>(i * 7 % 251);
  return out;
}

class LimitsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("limits");
    server_ = std::make_unique<ServerProcess>(dir_ + "/server");
    server_->Start();
    api_ = std::make_unique<Api>(server_->url());
    api_->Login();
  }
  void TearDown() override {
    agent_.reset();
    server_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<AgentProcess> agent_;
};

TEST_F(LimitsE2E, OversizedBatchesAreRefusedWith413) {
  auto [status, body] =
      api_->Call("POST", "/agent/v1/jobs/1/results",
                 Json{{"step", 0}, {"seq", 0}, {"pad", std::string(kMaxResultBatchBytes, 'x')}});
  EXPECT_EQ(status, 413) << body.dump().substr(0, 300);
  EXPECT_EQ(body["error"]["code"], "too_large");
  // Refused by the server from the declared length, before the body is read.
  EXPECT_NE(body["error"]["message"].get<std::string>().find("limit of " +
                                                             std::to_string(kMaxResultBatchBytes)),
            std::string::npos);
  std::tie(status, body) =
      api_->Call("POST", "/agent/v1/jobs/1/logs",
                 Json{{"step", 0}, {"seq", 0}, {"data", std::string(kMaxLogBatchBytes, 'y')}});
  EXPECT_EQ(status, 413) << body.dump().substr(0, 300);
  EXPECT_NE(body["error"]["message"].get<std::string>().find("limit of " +
                                                             std::to_string(kMaxLogBatchBytes)),
            std::string::npos);
  // Under the limit, the same call goes on to authentication.
  std::tie(status, body) =
      api_->Call("POST", "/agent/v1/jobs/1/logs", Json{{"step", 0}, {"seq", 0}, {"data", "x"}});
  EXPECT_EQ(status, 401) << body.dump();
}

TEST_F(LimitsE2E, ManyLargeResultsAndABigArtifactGetThrough) {
  agent_ = std::make_unique<AgentProcess>(server_->url(), dir_ + "/agent",
                                          api_->RegistrationToken(), "a1");
  agent_->Start();
  api_->WaitAgents(1);
  // 2,500 failures with 5 KB messages: 12.5 MB of results, more than one batch may hold.
  const std::string make_report =
      "python3 -c \"import sys; m = 'why ' * 1250; sys.stdout.write('<testsuite>' + ''.join("
      "'<testcase classname=\\\"big\\\" name=\\\"t%d\\\"><failure message=\\\"%s\\\"/></testcase>' "
      "% (i, m) "
      "for i in range(2500)) + '</testsuite>')\" > report.xml";
  int64_t branch = api_->CreateBranch("limits", "main");
  api_->CreateStage(
      branch, "produce",
      Json{{"parent", "root"},
           {"triggers", {{"parent", true}}},
           {"jobs",
            {{{"name", "produce"},
              {"steps", Json::array({ShellStep(kMakeBigFile),
                                     ShellStep(make_report),
                                     {{"tool", "junit_collect"}, {"file_glob", "report.xml"}},
                                     {{"tool", "artifacts"}, {"source", "big.bin"}}})},
              {"environments", AnyEnvironment()}}}}});
  api_->CreateStage(
      branch, "consume",
      Json{{"parent", "produce"},
           {"triggers", {{"parent", true}}},
           {"jobs",
            {{{"name", "consume"},
              {"steps",
               Json::array({{{"tool", "artifacts"},
                             {"action", "download"},
                             {"source", "big.bin"},
                             {"destination", "got"}},
                            ShellStep(std::string(kMakeBigFile) + " && cmp big.bin got/big.bin")})},
              {"environments", AnyEnvironment()}}}}});
  int64_t flow_id = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                             Json{{"kind", "ci"}})["id"];
  Json flow;
  ASSERT_TRUE(WaitFor(
      [&] {
        flow = api_->Ok("GET", "/api/v1/flows/" + std::to_string(flow_id));
        if (flow["state"] != "completed") return false;
        for (const auto& r : flow["runs"])
          if (r["state"] != "processed") return false;
        return flow["runs"].size() == 2;
      },
      std::chrono::seconds(120)))
      << flow.dump(1);
  flow = api_->FlowWithJobs(flow_id);
  int64_t produce_run = 0;
  for (const auto& run : flow["runs"]) {
    if (run["stage_name"] == "produce") produce_run = run["id"];
    for (const auto& job : run["jobs"])
      EXPECT_EQ(job["completion_status"], "ok")
          << api_->Text("/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/log")
                 .substr(0, 3000);
  }
  Json results =
      api_->Ok("GET", "/api/v1/runs/" + std::to_string(produce_run) + "/results?limit=1");
  EXPECT_EQ(results["total"], 2500);

  Json arts = api_->Ok("GET", "/api/v1/runs/" + std::to_string(produce_run) + "/artifacts");
  ASSERT_EQ(arts["items"].size(), 1u) << arts.dump();
  std::string got = api_->Text("/api/v1/artifacts/" +
                               std::to_string(arts["items"][0]["id"].get<int64_t>()) + "/download");
  EXPECT_EQ(got.size(), static_cast<size_t>(kBigFileBytes));
  EXPECT_TRUE(got == BigFileContent());
}

}  // namespace
}  // namespace kraken::e2e
