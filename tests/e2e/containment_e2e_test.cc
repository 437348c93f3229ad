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

unsigned ModeOf(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? st.st_mode & 07777 : 0xFFFF;
}

std::string OwnerOf(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return "?";
  struct passwd* pw = getpwuid(st.st_uid);
  return pw ? pw->pw_name : std::to_string(st.st_uid);
}

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
    if (!dir_.empty())
      for (pid_t pid : ProcessesWith(dir_ + "/agents/")) kill(-pid, SIGKILL);
    server_.reset();
    if (!HasFailure() && !dir_.empty()) fs::remove_all(dir_);
  }
  void Boot() {
    dir_ = TempDir("contain");
    server_ = std::make_unique<ServerProcess>(
        dir_, "", std::vector<std::string>{"--agents-dir", dir_ + "/agents"});
    server_->Start();
    api_ = std::make_unique<Api>(server_->url());
    api_->Login();
  }
  std::string data() const { return dir_ + "/server"; }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Api> api_;
};

TEST_F(ContainmentE2E, JobsOfLocalAgentsCannotReadTheServersDataDir) {
  Boot();
  api_->Ok("POST", "/api/v1/groups",
           Json{{"name", "local"}, {"deployment", {{"method", "local"}, {"instances_limit", 1}}}});
  std::string probe = "id -un; ";
  for (const char* file : {"server.key", "kraken.db", "kraken.db-wal", "cli.json"})
    probe +=
        "if cat " + data() + "/" + file + " >/dev/null 2>&1; then echo LEAKED " + file + "; fi; ";
  probe += "if ls -A " + data() + " 2>/dev/null | grep -q .; then echo LEAKED listing; fi; ";
  probe += "if env | grep -q test-password; then echo LEAKED admin password; fi; ";
  // Another agent's work dir, as the user the agents run as would read it but for the sandbox.
  probe += "for f in " + dir_ +
           "/agents/*/*/identity.json; do cat $f >/dev/null 2>&1 && "
           "echo SEES $f; done; ";
  // Its own processes only: no /proc/<server>/root that leads back to the data dir.
  probe += "echo processes $(ls /proc | grep -c '^[0-9]'); ";
  probe += "if ls /proc/" + std::to_string(server_->pid()) + "/root" + data() +
           " >/dev/null 2>&1; then echo LEAKED through proc; fi; echo PROBED";
  std::ofstream(data() + "/cli.json") << "{\"token\": \"admin\"}";  // as `kraken up` writes it
  fs::path other = dir_ + "/agents/other-server/m-999";
  fs::create_directories(other);
  std::ofstream(other / "identity.json") << "{\"token\": \"other agent\"}";
  if (geteuid() == 0) {
    struct passwd* agent_user = getpwnam("kraken-agent");
    ASSERT_NE(agent_user, nullptr);
    ASSERT_EQ(::chown(other.c_str(), agent_user->pw_uid, agent_user->pw_gid), 0);
    ASSERT_EQ(::chown((other / "identity.json").c_str(), agent_user->pw_uid, agent_user->pw_gid),
              0);
  }

  std::string log =
      OnlyJobLog(*api_, OneJobFlow(*api_, "contain", Json::array({ShellStep(probe)}), "local"));
  EXPECT_NE(log.find("PROBED"), std::string::npos) << log;
  EXPECT_EQ(log.find("LEAKED"), std::string::npos) << log;
  EXPECT_EQ(log.find("m-999"), std::string::npos) << log;
  // Its own identity, and the agent, the step's shell and `ls`: nothing of the server's.
  EXPECT_NE(log.find("SEES " + dir_ + "/agents/"), std::string::npos) << log;
  int processes = std::stoi(log.substr(log.find("processes ") + 10));
  EXPECT_LE(processes, 8) << log;
  if (geteuid() == 0) {
    EXPECT_EQ(log.substr(0, log.find('\n')), "kraken-agent") << log;
  }
  Json agents = api_->Ok("GET", "/api/v1/agents");
  ASSERT_EQ(agents.size(), 1u) << agents.dump(1);
  EXPECT_EQ(agents[0]["host_info"]["sandbox"], "namespaces") << agents.dump(1);

  // The agent works outside the data dir, in a folder of its own that keeps its token private.
  std::vector<fs::path> identities;
  for (const auto& e : fs::recursive_directory_iterator(dir_ + "/agents"))
    if (e.path().filename() == "identity.json" && e.path() != other / "identity.json")
      identities.push_back(e.path());
  ASSERT_EQ(identities.size(), 1u);
  EXPECT_EQ(ModeOf(identities[0]), 0600u);
  EXPECT_EQ(ModeOf(identities[0].parent_path()), 0700u);
  if (geteuid() == 0) {
    EXPECT_EQ(OwnerOf(identities[0]), "kraken-agent");
  }
}

TEST_F(ContainmentE2E, TheDataDirIsForTheServersUserAlone) {
  Boot();
  auto expect_private = [&] {
    EXPECT_EQ(ModeOf(data()), 0700u);
    for (const char* file : {"kraken.db", "kraken.db-wal", "kraken.db-shm", "server.key"})
      EXPECT_EQ(ModeOf(data() + "/" + file), 0600u) << file;
  };
  expect_private();
  // A data dir of an older version, readable by all, is tightened on the next start.
  server_->Stop();
  fs::create_directories(data() + "/blobs/ab");
  std::ofstream(data() + "/blobs/ab/cdef") << "blob";
  for (const char* p : {"", "/blobs", "/blobs/ab"}) ::chmod((data() + p).c_str(), 0755);
  for (const char* p : {"/kraken.db", "/kraken.db-wal", "/kraken.db-shm", "/blobs/ab/cdef"})
    ::chmod((data() + p).c_str(), 0644);
  server_->Start();
  expect_private();
  EXPECT_EQ(ModeOf(data() + "/blobs/ab"), 0700u);
  EXPECT_EQ(ModeOf(data() + "/blobs/ab/cdef"), 0600u);
}

TEST_F(ContainmentE2E, AgentIdentityIsReadableByItsOwnerOnly) {
  dir_ = TempDir("identity");
  SingleAgentSystem system(dir_);
  // Written right after the server answered the registration.
  std::string identity = dir_ + "/agent1/identity.json";
  ASSERT_TRUE(WaitFor([&] { return fs::exists(identity); }, std::chrono::seconds(10)));
  EXPECT_EQ(ModeOf(identity), 0600u);
}

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
