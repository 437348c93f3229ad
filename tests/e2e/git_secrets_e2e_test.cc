// End to end: a stage's `git` step with `access-token: NAME` clones from an HTTP server on
// 127.0.0.1 that demands that token (src/agent/tools/testdata/git_http_server.py), with the
// value coming from the project's secrets through the real server and agent. The server
// redirects the clone to a URL holding the token, so git prints it in its "redirecting to"
// warning: the step's log must show it masked. A step naming a secret the project does not
// have fails with a message naming it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

namespace fs = std::filesystem;

constexpr const char* kToken = "gitTok3nS3cretValue";

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// The token-checking git HTTP server over `root`, stopped at the end of the test.
class GitHttpServer {
 public:
  explicit GitHttpServer(const std::string& root) : root_(root) {
    std::string script =
        (fs::path(KRAKEN_SOURCE_DIR) / "src/agent/tools/testdata/git_http_server.py")
            .lexically_normal()
            .string();
    std::string port_file = root_ + "/port";
    pid_ = fork();
    if (pid_ == 0) {
      execlp("python3", "python3", script.c_str(), root_.c_str(), kToken,
             (root_ + "/http.log").c_str(), port_file.c_str(), nullptr);
      _exit(127);
    }
    WaitFor([&] { return fs::exists(port_file); }, std::chrono::seconds(5));
    port_ = Slurp(port_file);
  }
  ~GitHttpServer() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + port_ + path; }
  std::string log() const { return Slurp(root_ + "/http.log"); }

 private:
  std::string root_, port_;
  pid_t pid_ = -1;
};

TEST(GitSecretsE2E, AnAccessTokenSecretClonesAndIsMaskedInTheLog) {
  std::string dir = TempDir("git-secrets");
  std::string repo = dir + "/repos/origin";
  std::string git = "git -C " + repo + " -c user.name=t -c user.email=t@example.com ";
  ASSERT_EQ(std::system(("git init -q -b main " + repo + " && echo v1 > " + repo +
                         "/version.txt && " + git + "add version.txt && " + git + "commit -q -m v1")
                            .c_str()),
            0);
  GitHttpServer http(dir + "/repos");

  SingleAgentSystem sys(dir);
  Api& api = *sys.api;
  int64_t branch = api.CreateBranch("p", "main");
  int64_t project = ProjectOf(api, branch);
  api.Ok("POST", "/api/v1/projects/" + std::to_string(project) + "/secrets",
         Json{{"name", "gh"}, {"kind", "simple"}, {"secret", kToken}});

  Json gone = api.Ok("POST", "/api/v1/projects/" + std::to_string(project) + "/secrets",
                     Json{{"name", "old"}, {"kind", "simple"}, {"secret", "old-token"}});

  Json clone = {{"tool", "git"},
                {"checkout", http.url("/r/origin")},
                {"branch", "main"},
                {"destination", "src"},
                {"access-token", "gh"}};
  auto stage_with = [&](const std::string& secret) {
    Json missing = {{"tool", "git"}, {"checkout", http.url("/origin")}, {"access-token", secret}};
    return Json{
        {"name", "s"},
        {"schema",
         Json{{"parent", "root"},
              {"jobs",
               Json::array({Json{{"name", "clone"},
                                 {"steps", Json::array({clone, ShellStep("cat src/version.txt")})},
                                 {"environments", AnyEnvironment()}},
                            Json{{"name", "missing"},
                                 {"steps", Json::array({missing})},
                                 {"environments", AnyEnvironment()}}})}}}};
  };
  // A stage naming a secret the project does not have is refused when saved, naming the step.
  std::string stages = "/api/v1/branches/" + std::to_string(branch) + "/stages";
  auto [status, refused] = api.Call("POST", stages, stage_with("nope"));
  EXPECT_EQ(status, 400) << refused.dump();
  EXPECT_EQ(refused["error"]["field"], "schema.jobs[1].steps[0].access-token") << refused.dump();
  EXPECT_NE(refused.dump().find("the project has no secret named 'nope'"), std::string::npos)
      << refused.dump();
  // One deleted after the stage was saved is found missing when the step is about to run.
  api.Ok("POST", stages, stage_with("old"));
  api.Ok("DELETE", "/api/v1/secrets/" + std::to_string(gone["id"].get<int64_t>()));
  int64_t flow_id = api.Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                           Json{{"kind", "ci"}})["id"];
  Json flow = api.WaitFlowCompleted(flow_id);
  EXPECT_EQ(flow.dump().find(kToken), std::string::npos);
  std::map<std::string, std::string> jobs;
  for (const Json& j : flow["runs"][0]["jobs"])
    jobs[j["name"]] = std::to_string(j["id"].get<int64_t>());
  ASSERT_EQ(jobs.size(), 2u) << flow.dump();

  // The clone went through with the token from the project's secrets.
  Json steps = api.Ok("GET", "/api/v1/jobs/" + jobs["clone"] + "/steps");
  for (const Json& s : steps) EXPECT_EQ(s["status"], "done") << s.dump();
  EXPECT_EQ(steps.dump().find(kToken), std::string::npos) << steps.dump();
  EXPECT_EQ(steps[0]["fields"]["access-token"], "gh");  // the name, as the stage says
  EXPECT_FALSE(steps[0]["fields"].contains("#secrets")) << steps[0].dump();
  EXPECT_NE(http.log().find("auth=ok"), std::string::npos) << http.log();
  EXPECT_EQ(http.log().find("auth=wrong"), std::string::npos) << http.log();
  std::string log = api.Text("/api/v1/jobs/" + jobs["clone"] + "/log");
  EXPECT_EQ(log.find(kToken), std::string::npos) << log;
  EXPECT_NE(log.find("redirecting to " + http.url("/******/origin")), std::string::npos) << log;
  EXPECT_NE(log.find("v1"), std::string::npos) << log;

  // The deleted secret: the step fails, naming it.
  Json failed = api.Ok("GET", "/api/v1/jobs/" + jobs["missing"] + "/steps");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["status"], "error");
  EXPECT_NE(failed[0]["message"].get<std::string>().find(
                "access-token: the project has no secret named 'old'"),
            std::string::npos)
      << failed[0].dump();

  sys.agent.reset();
  sys.server.reset();
  if (!::testing::Test::HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace kraken::e2e
