// End to end through the command line: `kraken up` then `kraken flow run --follow`, and the
// engine on a real PostgreSQL server.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "store/test_db.h"
#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

namespace fs = std::filesystem;

// Runs a shell command; returns its exit code and fills `out` with stdout and stderr.
int RunCommand(const std::string& cmd, std::string& out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(CommandLine, UpThenFlowRunFollowReportsSuccessAndFailure) {
  std::string dir = TempDir("up");
  int port = FreePort();
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  pid_t up = fork();
  if (up == 0) {
    setpgid(0, 0);
    if (!freopen((dir + "/up.log").c_str(), "w", stdout)) _exit(126);
    dup2(1, 2);
    execl(KRAKEN_BIN, KRAKEN_BIN, "up", "--port", std::to_string(port).c_str(), "--data-dir",
          (dir + "/data").c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  http::Client c;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = c.Request("GET", url + "/api/v1/health", "", {}, std::chrono::seconds(1));
        return r && r->status == 200 && fs::exists(dir + "/data/cli.json");
      },
      std::chrono::seconds(30)));

  std::string out;
  int code = RunCommand(
      std::string(KRAKEN_BIN) + " flow run demo/main --follow --data-dir " + dir + "/data", out);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("flow 1 succeeded"), std::string::npos) << out;
  // The child stage ran after its parent (its run ends completed, then processed).
  EXPECT_NE(out.find("run 2 test: "), std::string::npos) << out;

  // A flow with a failing job exits non-zero and names the job.
  Json cli = Json::parse(std::ifstream(dir + "/data/cli.json"));
  std::string token = cli["token"];
  http::Client raw;
  auto call = [&](const std::string& method, const std::string& path, const Json& body) {
    auto r = raw.Request(method, url + path, body.dump(),
                         {"Content-Type: application/json", "Authorization: Bearer " + token});
    EXPECT_TRUE(r && r->status < 300) << path << ": " << (r ? r->body : r.error().message);
    return Json::parse(r->body);
  };
  Json p = call("POST", "/api/v1/projects", Json{{"name", "bad"}});
  Json b = call("POST", "/api/v1/projects/" + std::to_string(p["id"].get<int64_t>()) + "/branches",
                Json{{"name", "main"}});
  call("POST", "/api/v1/branches/" + std::to_string(b["id"].get<int64_t>()) + "/stages",
       Json{{"name", "build"},
            {"schema",
             {{"jobs", Json::array({Json{{"name", "breaks"},
                                         {"steps", Json::array({ShellStep("exit 7")})},
                                         {"environments", AnyEnvironment()}}})}}}});
  out.clear();
  code = RunCommand(
      std::string(KRAKEN_BIN) + " flow run bad/main --follow --data-dir " + dir + "/data", out);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("build / breaks"), std::string::npos) << out;
  EXPECT_NE(out.find("step-error"), std::string::npos) << out;

  out.clear();
  EXPECT_EQ(RunCommand(
                std::string(KRAKEN_BIN) + " flow run nosuch/main --data-dir " + dir + "/data", out),
            2);
  EXPECT_NE(out.find("no project named 'nosuch'"), std::string::npos) << out;

  kill(-up, SIGTERM);
  int status = 0;
  waitpid(up, &status, 0);
  EXPECT_TRUE(WIFEXITED(status)) << "kraken up did not stop cleanly on SIGTERM";
  if (!HasFailure()) fs::remove_all(dir);
}

// `kraken server` started without --ui-dir, as the README's command table shows it, serves
// the UI built in the source tree (the test command builds it before the tests run).
TEST(CommandLine, ServerWithoutUiDirServesTheBuiltUi) {
  const fs::path index = fs::path(KRAKEN_SOURCE_DIR) / "ui" / "dist" / "index.html";
  std::string dir = TempDir("ui");
  ServerProcess server(dir);
  server.Start();
  Api api(server.url());
  std::string page = api.Text("/");
  if (fs::exists(index)) {
    std::ifstream in(index);
    std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(page, expected);
  } else {
    EXPECT_NE(page.find("The web UI is not built"), std::string::npos) << page;
  }
  server.Stop();
  if (!HasFailure()) fs::remove_all(dir);
}

TEST(Postgres, FlowRunsOnAPostgresqlDatabase) {
  std::string skip;
  auto db = store::TestDatabase::Create("postgresql", &skip);
  if (!db) GTEST_SKIP() << skip;
  std::string dir = TempDir("pg");
  ServerProcess server(dir, db->url());
  server.Start();
  Api api(server.url());
  api.Login();
  AgentProcess a1(server.url(), dir + "/a1", api.RegistrationToken(), "a1");
  AgentProcess a2(server.url(), dir + "/a2", api.RegistrationToken(), "a2");
  a1.Start();
  a2.Start();
  api.WaitAgents(2);
  int64_t branch = api.CreateBranch("p", "main");
  Json jobs = Json::array();
  for (int i = 0; i < 10; ++i)
    jobs.push_back({{"name", "j" + std::to_string(i)},
                    {"steps", Json::array({ShellStep("echo pg-" + std::to_string(i))})},
                    {"environments", AnyEnvironment()}});
  api.CreateStage(branch, "build", Json{{"jobs", jobs}});
  Json flow = api.Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                     Json{{"kind", "dev"}});
  Json done = api.WaitFlowCompleted(flow["id"]);
  EXPECT_EQ(done["kind"], "dev");
  for (const auto& job : done["runs"][0]["jobs"]) {
    EXPECT_EQ(job["completion_status"], "ok");
    std::string name = job["name"];
    EXPECT_EQ(api.Text("/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/log"),
              "pg-" + name.substr(1) + "\n");
  }
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace kraken::e2e
