// End to end over HTTPS: the real server with a certificate made here with OpenSSL, a real
// agent that pins it and runs a job, the command line following the flow's events, and
// agents and servers that refuse what they must.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/certificate.h"
#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

// Runs a shell command under a time limit; returns its exit code (124: timed out) and fills
// `out` with its stdout and stderr.
int RunCommand(const std::string& cmd, std::string& out) {
  FILE* p = popen(("timeout 60 " + cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Certificate {
  std::string cert, key, fingerprint;
};

class TlsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("tls");
    server_cert_ = Make("server");
    other_cert_ = Make("other");
    // This process's clients (the harness's) pin the server's certificate.
    http::Client::SetDefaultTlsTrust({.fingerprint = server_cert_.fingerprint});
    server_ = std::make_unique<ServerProcess>(
        dir_, "",
        std::vector<std::string>{"--tls-cert", server_cert_.cert, "--tls-key", server_cert_.key});
  }
  void TearDown() override {
    agent_.reset();
    server_.reset();
    http::Client::SetDefaultTlsTrust({});
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  Certificate Make(const std::string& name) {
    Certificate c{dir_ + "/" + name + ".crt", dir_ + "/" + name + ".key", ""};
    EXPECT_TRUE(http::WriteSelfSignedCertificate(c.cert, c.key, {"localhost", "127.0.0.1"}));
    auto info = http::ReadCertificateInfo(c.cert);
    EXPECT_TRUE(info);
    if (info) c.fingerprint = info->fingerprint;
    return c;
  }

  // Runs `kraken agent` against the server with `trust` arguments until it exits.
  int RunAgent(const std::string& trust, std::string& out) {
    return RunCommand(std::string(KRAKEN_BIN) + " agent --server " + server_->url() +
                          " --data-dir " + dir_ + "/refused-agent " + trust,
                      out);
  }

  std::string dir_;
  Certificate server_cert_, other_cert_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<AgentProcess> agent_;
};

TEST_F(TlsE2E, PinnedAgentRunsAJobAndTheCommandLineFollowsIt) {
  server_->Start();
  ASSERT_TRUE(server_->url().starts_with("https://"));
  Api api(server_->url());
  api.Login();
  agent_ = std::make_unique<AgentProcess>(
      server_->url(), dir_ + "/agent", api.RegistrationToken(), "tls-agent",
      std::vector<std::string>{"--tls-fingerprint",
                               http::DisplayFingerprint(server_cert_.fingerprint)});
  agent_->Start();
  api.WaitAgents(1);

  int64_t branch = api.CreateBranch("secure", "main");
  api.CreateStage(
      branch, "build",
      Json{{"jobs", Json::array({Json{{"name", "hello"},
                                      {"steps", Json::array({ShellStep("echo over-tls")})},
                                      {"environments", AnyEnvironment()}}})}});
  Json flow = api.Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                     Json{{"kind", "ci"}, {"args", Json::object()}});
  Json done = api.WaitFlowCompleted(flow["id"]);
  EXPECT_EQ(done["runs"][0]["jobs"][0]["completion_status"], "ok") << done.dump(1);

  // `kraken flow run --follow` starts a second flow and follows its events (SSE) over HTTPS.
  Json login =
      api.Ok("POST", "/api/v1/auth/login", Json{{"user", "admin"}, {"password", "test-password"}});
  std::string out;
  int code = RunCommand(std::string(KRAKEN_BIN) + " flow run secure/main --follow --server " +
                            server_->url() + " --token " + login["token"].get<std::string>() +
                            " --tls-fingerprint " + server_cert_.fingerprint + " --data-dir " +
                            dir_ + "/no-cli-json",
                        out);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("flow 2 succeeded"), std::string::npos) << out;

  // Without a way to trust the self-signed certificate the command line refuses to talk.
  out.clear();
  code = RunCommand(std::string(KRAKEN_BIN) + " flow run secure/main --server " + server_->url() +
                        " --token x --data-dir " + dir_ + "/no-cli-json",
                    out);
  EXPECT_NE(code, 0) << out;
  EXPECT_NE(out.find("is not trusted by the system's CA bundle"), std::string::npos) << out;
}

TEST_F(TlsE2E, AgentWithTheWrongPinRefusesToConnect) {
  server_->Start();
  std::string out;
  int code = RunAgent("--tls-fingerprint " + other_cert_.fingerprint, out);
  EXPECT_EQ(code, 1) << out;  // at once, not retrying until the time limit
  EXPECT_NE(out.find("has the SHA-256 fingerprint " + server_cert_.fingerprint +
                     ", not the pinned " + other_cert_.fingerprint),
            std::string::npos)
      << out;
}

TEST_F(TlsE2E, AgentWithAnUntrustedCaRefusesToConnect) {
  server_->Start();
  std::string out;
  int code = RunAgent("--ca-file " + other_cert_.cert, out);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("certificate is not trusted by " + other_cert_.cert), std::string::npos)
      << out;
}

TEST_F(TlsE2E, AgentWithAMalformedPinIsToldSo) {
  std::string out;
  EXPECT_EQ(RunAgent("--tls-fingerprint 12:34", out), 2) << out;
  EXPECT_NE(out.find("64 hex digits"), std::string::npos) << out;
}

TEST_F(TlsE2E, PlainHttpBeyondLoopbackIsRefusedAtStart) {
  // 192.0.2.1 (TEST-NET-1) is no address of this machine: even a server that skipped the
  // check could not listen there, so nothing is ever exposed; the message tells them apart.
  std::string out;
  int code = RunCommand(std::string(KRAKEN_BIN) + " server --data-dir " + dir_ +
                            "/plain --address 192.0.2.1 --port " + std::to_string(FreePort()),
                        out);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("refusing to serve plain HTTP on 192.0.2.1"), std::string::npos) << out;
  EXPECT_NE(out.find("--allow-plain-http"), std::string::npos) << out;
}

}  // namespace
}  // namespace kraken::e2e
