// End to end: what jobs and browsers can reach of the server. A job on a local agent cannot
// read the server's data dir; the data dir and the agents' identities are for their owners
// alone; user content (artifacts, HTML reports) never runs as a page of the API's origin.
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "http/test_server.h"
#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

namespace fs = std::filesystem;

// The log of the flow's only job, once the flow has completed.
std::string OnlyJobLog(Api& api, int64_t flow_id) {
  Json flow = api.WaitFlowCompleted(flow_id, std::chrono::seconds(90));
  for (const auto& run : flow["runs"])
    for (const auto& job : run["jobs"]) {
      EXPECT_EQ(job["completion_status"], "ok") << flow.dump(1);
      return api.Text("/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/log");
    }
  ADD_FAILURE() << "no job in " << flow.dump(1);
  return {};
}

int64_t OneJobFlow(Api& api, const std::string& project, const Json& steps,
                   const std::string& group) {
  int64_t branch = api.CreateBranch(project, "main");
  api.CreateStage(branch, "build",
                  Json{{"parent", "root"},
                       {"triggers", {{"parent", true}}},
                       {"jobs",
                        {{{"name", "probe"},
                          {"timeout", 120},
                          {"steps", steps},
                          {"environments", AnyEnvironment(group)}}}}});
  return api.Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                Json{{"kind", "ci"}})["id"];
}

class ContainmentE2E : public ::testing::Test {
 protected:
  void TearDown() override {
    server_.reset();
    if (!HasFailure() && !dir_.empty()) fs::remove_all(dir_);
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Api> api_;
};

// The raw response to an authenticated GET, headers included.
std::string RawGet(const std::string& url, const std::string& path, const std::string& token) {
  int port = std::stoi(url.substr(url.rfind(':') + 1));
  http::RawSocket s(static_cast<uint16_t>(port));
  s.Send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
         "\r\nConnection: close\r\n\r\n");
  return s.ReadAll();
}

TEST_F(ContainmentE2E, ArtifactsAreDownloadsAndHtmlReportsAreSandboxed) {
  dir_ = TempDir("artifacts");
  SingleAgentSystem system(dir_);
  Json steps = Json::array(
      {ShellStep(
           "mkdir -p out && echo '<script>fetch(\"/api/v1/tokens\")</script>' > out/report.html"
           " && echo data > 'out/da\"ta.txt'"),
       {{"tool", "artifacts"}, {"cwd", "out"}, {"source", "**"}, {"report_entry", "report.html"}}});
  int64_t flow = OneJobFlow(*system.api, "report", steps, "all");
  OnlyJobLog(*system.api, flow);
  http::Client client;
  auto login = client.Request("POST", system.server->url() + "/api/v1/auth/login",
                              Json{{"user", "admin"}, {"password", "test-password"}}.dump(),
                              {"Content-Type: application/json"});
  ASSERT_TRUE(login && login->status == 200);
  std::string token = Json::parse(login->body)["token"];
  Json flows = system.api->Ok("GET", "/api/v1/flows/" + std::to_string(flow) + "/artifacts");
  ASSERT_EQ(flows["items"].size(), 2u) << flows.dump(1);
  for (const auto& a : flows["items"]) {
    std::string r =
        RawGet(system.server->url(),
               "/api/v1/artifacts/" + std::to_string(a["id"].get<int64_t>()) + "/download", token);
    std::string head = r.substr(0, r.find("\r\n\r\n"));
    EXPECT_NE(head.find("X-Content-Type-Options: nosniff"), std::string::npos) << head;
    EXPECT_NE(head.find("Content-Security-Policy: sandbox;"), std::string::npos) << head;
    if (a["path"] == "report.html") {
      EXPECT_NE(head.find("Content-Type: text/html"), std::string::npos) << head;
      EXPECT_NE(r.find("<script>"), std::string::npos) << "shown, but sandboxed: no script runs";
    } else {
      EXPECT_NE(head.find("Content-Type: application/octet-stream"), std::string::npos) << head;
      EXPECT_NE(head.find("Content-Disposition: attachment; filename=\"da_ta.txt\"; "
                          "filename*=UTF-8''da%22ta.txt"),
                std::string::npos)
          << head;
    }
  }
}

}  // namespace
}  // namespace kraken::e2e
