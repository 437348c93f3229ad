// The self-contained kraken-agent: an ELF with no interpreter and no shared library, and a
// real run of it inside a root that holds nothing but it, busybox, /etc/hosts and /tmp (no
// C library), against a real server over HTTP (by a host name of /etc/hosts) and HTTPS.
#include <elf.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/certificate.h"
#include "http/client.h"
#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(StaticAgentBinary, HasNoInterpreterAndNeedsNoSharedLibrary) {
  std::string elf = ReadAll(KRAKEN_AGENT_BIN);
  ASSERT_GE(elf.size(), sizeof(Elf64_Ehdr));
  Elf64_Ehdr header;
  std::memcpy(&header, elf.data(), sizeof header);
  ASSERT_EQ(std::memcmp(header.e_ident, ELFMAG, SELFMAG), 0);
  ASSERT_EQ(header.e_ident[EI_CLASS], ELFCLASS64);
  ASSERT_LE(header.e_phoff + header.e_phnum * sizeof(Elf64_Phdr), elf.size());
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment;
    std::memcpy(&segment, elf.data() + header.e_phoff + i * sizeof(Elf64_Phdr), sizeof segment);
    EXPECT_NE(segment.p_type, static_cast<Elf64_Word>(PT_INTERP))
        << "kraken-agent names a dynamic loader";
    if (segment.p_type != PT_DYNAMIC) continue;
    ASSERT_LE(segment.p_offset + segment.p_filesz, elf.size());
    for (size_t at = 0; at + sizeof(Elf64_Dyn) <= segment.p_filesz; at += sizeof(Elf64_Dyn)) {
      Elf64_Dyn entry;
      std::memcpy(&entry, elf.data() + segment.p_offset + at, sizeof entry);
      EXPECT_NE(entry.d_tag, DT_NEEDED) << "kraken-agent needs a shared library";
    }
  }
}

// Runs a command, returns its exit code and fills `out` with its stdout and stderr.
int RunCommand(const std::string& cmd, std::string& out) {
  FILE* p = popen(("timeout 60 " + cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(InstallAgent, TheServerHandsOutKrakenAgentWithItsChecksum) {
  std::string dir = TempDir("install-agent");
  ServerProcess server(dir);
  server.Start();
  http::Client client;
  auto agent = client.Request("GET", server.url() + "/install/agent");
  ASSERT_TRUE(agent) << agent.error().message;
  EXPECT_EQ(agent->status, 200);
  EXPECT_TRUE(agent->body == ReadAll(KRAKEN_AGENT_BIN)) << "not the kraken-agent of this build";
  auto sha = client.Request("GET", server.url() + "/install/agent.sha256");
  ASSERT_TRUE(sha) << sha.error().message;
  std::string out;
  ASSERT_EQ(RunCommand("sha256sum " + std::string(KRAKEN_AGENT_BIN), out), 0);
  EXPECT_EQ(sha->body, out.substr(0, 64) + "\n");
  fs::remove_all(dir);
}

TEST(InstallAgent, WithoutAnAgentBinaryTheServerSaysHowToGetOne) {
  std::string dir = TempDir("install-no-agent");
  ServerProcess server(dir, "", {"--agent-binary", dir + "/no-such-file"});
  server.Start();
  http::Client client;
  auto agent = client.Request("GET", server.url() + "/install/agent");
  ASSERT_TRUE(agent) << agent.error().message;
  EXPECT_EQ(agent->status, 404);
  EXPECT_NE(agent->body.find("--agent-binary"), std::string::npos) << agent->body;
  EXPECT_NE(ReadAll(dir + "/server.log").find("no kraken-agent binary at " + dir + "/no-such-file"),
            std::string::npos);
  fs::remove_all(dir);
}

class StaticAgentE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to chroot (scripts/test.sh runs as root in CI)";
    if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "needs /bin/busybox (Debian: busybox-static)";
    dir_ = TempDir("static-agent");
    root_ = std::string(KRAKEN_E2E_WORK_DIR) + "/static-agent-root-" + std::to_string(getpid());
    MakeRoot();
  }
  void TearDown() override {
    if (agent_pid_ > 0) Reap(agent_pid_, SIGKILL);
    server_.reset();
    http::Client::SetDefaultTlsTrust({});
    if (!HasFailure()) {
      if (!root_.empty()) fs::remove_all(root_);
      if (!dir_.empty()) fs::remove_all(dir_);
    }
  }

  // The machine the agent finds: kraken-agent, busybox and its applets, /etc/hosts, /tmp,
  // /dev/null, and an empty /proc that the agent's mount namespace fills.
  void MakeRoot() {
    fs::remove_all(root_);
    for (const char* sub : {"bin", "etc", "tmp", "dev", "proc"})
      fs::create_directories(root_ + "/" + sub);
    fs::permissions(root_ + "/tmp", fs::perms::all | fs::perms::sticky_bit);
    fs::copy_file(KRAKEN_AGENT_BIN, root_ + "/kraken-agent");
    fs::copy_file("/bin/busybox", root_ + "/bin/busybox");
    std::string applets;
    ASSERT_EQ(RunCommand("/bin/busybox --list", applets), 0) << applets;
    std::istringstream lines(applets);
    for (std::string applet; std::getline(lines, applet);) {
      if (!applet.empty() && applet != "busybox")
        fs::create_symlink("busybox", root_ + "/bin/" + applet);
    }
    std::ofstream(root_ + "/etc/hosts") << "127.0.0.1 localhost kraken-server\n";
    ASSERT_EQ(mknod((root_ + "/dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
    chmod((root_ + "/dev/null").c_str(), 0666);
  }

  // Starts kraken-agent in the root for one job, with `trust` arguments.
  void StartAgent(const std::string& server_url, const std::string& token,
                  const std::string& trust = "") {
    std::string script = "mount -t proc proc " + root_ + "/proc && exec chroot " + root_ +
                         " /kraken-agent --server " + server_url +
                         " --data-dir /tmp/agent --name static-agent --one-job" +
                         " --registration-token " + token + " " + trust;
    agent_pid_ = Launch({"/usr/bin/unshare", "--mount", "--fork", "/bin/sh", "-c", script},
                        dir_ + "/agent.log");
  }

  // Runs `echo 'hello world'` on the agent and checks the job and its log on the server.
  void RunHelloWorld(Api& api) {
    api.WaitAgents(1, std::chrono::seconds(30));
    int64_t branch = api.CreateBranch("static", "main");
    api.CreateStage(
        branch, "build",
        Json{{"jobs", Json::array({Json{{"name", "hello"},
                                        {"steps", Json::array({ShellStep("echo 'hello world'")})},
                                        {"environments", AnyEnvironment()}}})}});
    Json flow = api.Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                       Json{{"kind", "ci"}, {"args", Json::object()}});
    Json done = api.WaitFlowCompleted(flow["id"]);
    Json job = done["runs"][0]["jobs"][0];
    EXPECT_EQ(job["completion_status"], "ok") << done.dump(1) << ReadAll(dir_ + "/agent.log");
    EXPECT_NE(api.Text("/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/log")
                  .find("hello world"),
              std::string::npos);
    // --one-job: the agent leaves once its job is reported.
    EXPECT_TRUE(WaitFor([&] { return waitpid(agent_pid_, nullptr, WNOHANG) == agent_pid_; },
                        std::chrono::seconds(30)))
        << ReadAll(dir_ + "/agent.log");
    agent_pid_ = 0;
  }

  std::string dir_, root_;
  std::unique_ptr<ServerProcess> server_;
  pid_t agent_pid_ = 0;
};

TEST_F(StaticAgentE2E, RunsAJobInABusyboxRootOverHttpByHostName) {
  server_ = std::make_unique<ServerProcess>(dir_);
  server_->Start();
  Api api(server_->url());
  api.Login();
  // kraken-server is a name of the root's /etc/hosts only: the static C library reads it.
  std::string url = server_->url();
  url.replace(url.find("127.0.0.1"), 9, "kraken-server");
  StartAgent(url, api.RegistrationToken());
  RunHelloWorld(api);
}

TEST_F(StaticAgentE2E, RunsAJobInABusyboxRootOverHttpsWithACaFile) {
  const std::string cert = dir_ + "/server.crt", key = dir_ + "/server.key";
  ASSERT_TRUE(http::WriteSelfSignedCertificate(cert, key, {"localhost", "127.0.0.1"}));
  auto info = http::ReadCertificateInfo(cert);
  ASSERT_TRUE(info);
  http::Client::SetDefaultTlsTrust({.fingerprint = info->fingerprint});
  server_ = std::make_unique<ServerProcess>(
      dir_, "", std::vector<std::string>{"--tls-cert", cert, "--tls-key", key});
  server_->Start();
  ASSERT_TRUE(server_->url().starts_with("https://"));
  Api api(server_->url());
  api.Login();
  fs::copy_file(cert, root_ + "/server-ca.crt");
  StartAgent(server_->url(), api.RegistrationToken(), "--ca-file /server-ca.crt");
  RunHelloWorld(api);
}

TEST_F(StaticAgentE2E, RefusesAServerWhoseCertificateItCannotTrust) {
  const std::string cert = dir_ + "/server.crt", key = dir_ + "/server.key";
  ASSERT_TRUE(http::WriteSelfSignedCertificate(cert, key, {"localhost", "127.0.0.1"}));
  auto info = http::ReadCertificateInfo(cert);
  ASSERT_TRUE(info);
  http::Client::SetDefaultTlsTrust({.fingerprint = info->fingerprint});
  server_ = std::make_unique<ServerProcess>(
      dir_, "", std::vector<std::string>{"--tls-cert", cert, "--tls-key", key});
  server_->Start();
  // No CA bundle in the root and no --ca-file: nothing vouches for the certificate.
  std::string out;
  int code =
      RunCommand("/usr/bin/unshare --mount --fork chroot " + root_ + " /kraken-agent --server " +
                     server_->url() + " --data-dir /tmp/agent --registration-token x",
                 out);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("is not trusted by the system's CA bundle (none on this machine"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace kraken::e2e
