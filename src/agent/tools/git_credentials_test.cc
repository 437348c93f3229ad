// The git tool with the secrets a step names, against real git:
//  - `access-token`: a clone over git's smart HTTP protocol from a server on 127.0.0.1
//    (testdata/git_http_server.py: `git http-backend` behind Python's http.server) that refuses any
//    request without the right `Authorization` header, so the clone succeeds only if git sent the
//    token; the token must appear in no command line (a `git` wrapper on PATH records every argv),
//    no repository config and not in the step's log;
//  - `ssh-key`: no sshd runs here, so `ssh` on PATH is a stand-in that records how git called
//    it and the key file's mode and content, then runs the remote command locally (what sshd
//    would do). The key file must be gone after the step.
#include "agent/tools/git_credentials.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "agent/tools/tool_test_fixture.h"

namespace kraken::tools {
namespace {

namespace fs = std::filesystem;

constexpr const char* kToken = "tok-Xy7s3cret";
constexpr const char* kKey =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-real-key\n-----END OPENSSH PRIVATE KEY-----";

// Stands in for ssh: records its options, the key file's mode and whether it holds the
// expected key, then runs the remote command as sshd would.
constexpr const char* kFakeSsh = R"SH(#!/bin/sh
log="$(dirname "$0")/../ssh.log"
key=""
while [ $# -gt 1 ]; do
  case "$1" in
    -i) key=$2; shift 2;;
    -o|-p|-l) echo "$1 $2" >> "$log"; shift 2;;
    -*) echo "$1" >> "$log"; shift;;
    *) echo "host $1" >> "$log"; shift;;
  esac
done
echo "key-file $key" >> "$log"
echo "key-mode $(stat -c %a "$key")" >> "$log"
echo "key-dir-mode $(stat -c %a "$(dirname "$key")")" >> "$log"
cmp -s "$key" "$(dirname "$0")/../expected_key" && echo key-matches >> "$log"
exec sh -c "$1"
)SH";

class GitCredentialsTest : public ToolTest {
 protected:
  void SetUp() override {
    ToolTest::SetUp();
    repo_ = (dir_ / "origin").string();
    Sh("git init -q -b main " + repo_);
    Commit("1");
    Commit("2");
    // Every git command line the tool runs is recorded.
    fs::create_directories(dir_ / "bin");
    WriteExecutable(dir_ / "bin" / "git", "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" +
                                              (dir_ / "argv.log").string() + "'\nexec " +
                                              Which("git") + " \"$@\"\n");
    ctx_.env["PATH"] = (dir_ / "bin").string() + ":" + std::getenv("PATH");
  }
  void TearDown() override {
    if (server_pid_ > 0) {
      kill(server_pid_, SIGTERM);
      waitpid(server_pid_, nullptr, 0);
    }
    ToolTest::TearDown();
  }
  void Sh(const std::string& command) { ASSERT_EQ(std::system(command.c_str()), 0) << command; }
  void Commit(const std::string& text) {
    std::ofstream(repo_ + "/version.txt") << text;
    std::string git = "git -C " + repo_ + " -c user.name=t -c user.email=t@example.com ";
    ASSERT_EQ(std::system((git + "add version.txt && " + git + "commit -q -m v" + text).c_str()),
              0);
  }
  static std::string Which(const std::string& program) {
    std::stringstream in(std::getenv("PATH"));
    for (std::string dir; std::getline(in, dir, ':');)
      if (access((dir + "/" + program).c_str(), X_OK) == 0) return dir + "/" + program;
    return program;
  }
  static void WriteExecutable(const fs::path& path, const std::string& text) {
    std::ofstream(path) << text;
    fs::permissions(path, fs::perms::owner_all);
  }
  static std::string Slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }
  // Starts the token-checking HTTP server; returns the repository's URL on it.
  std::string StartServer() {
    std::string script =
        std::string(KRAKEN_SOURCE_DIR) + "/src/agent/tools/testdata/git_http_server.py";
    std::string port_file = (dir_ / "port").string();
    server_pid_ = fork();
    if (server_pid_ == 0) {
      execlp("python3", "python3", script.c_str(), dir_.c_str(), kToken,
             (dir_ / "http.log").c_str(), port_file.c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 200 && !fs::exists(port_file); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    return "http://127.0.0.1:" + Slurp(port_file) + "/origin";
  }
  Json TokenStep(const std::string& url, const std::string& dest, const std::string& token) {
    return Json{{"checkout", url},
                {"branch", "main"},
                {"destination", dest},
                {"access-token", "gh"},
                {"#secrets", {{"access-token", {{"name", "gh"}, {"secret", token}}}}}};
  }
  // Where a leaked token could be read: command lines, repository configs, the step's log.
  void ExpectNoTokenAnywhere() {
    EXPECT_EQ(Slurp(dir_ / "argv.log").find(kToken), std::string::npos) << Slurp(dir_ / "argv.log");
    EXPECT_EQ(log_.find(kToken), std::string::npos) << log_;
    for (const auto& entry : fs::recursive_directory_iterator(dir_ / "cache")) {
      if (entry.path().filename() != "config") continue;
      std::string config = Slurp(entry.path());
      EXPECT_EQ(config.find(kToken), std::string::npos) << entry.path();
      EXPECT_EQ(config.find("Authorization"), std::string::npos) << entry.path();
    }
    EXPECT_EQ(Read("src/.git/config").find("Authorization"), std::string::npos);
  }

  std::string repo_;
  pid_t server_pid_ = -1;
};

TEST_F(GitCredentialsTest, AnAccessTokenReachesGitAsAnAuthorizationHeader) {
  std::string url = StartServer();
  StepOutcome out = Run("git", TokenStep(url, "src", kToken));
  ASSERT_TRUE(out.ok) << out.message << log_ << Slurp(dir_ / "http.log");
  EXPECT_EQ(Read("src/version.txt"), "2");
  std::string http_log = Slurp(dir_ / "http.log");
  EXPECT_NE(http_log.find("GET /origin/info/refs?service=git-upload-pack auth=ok"),
            std::string::npos)
      << http_log;
  EXPECT_NE(http_log.find("POST /origin/git-upload-pack auth=ok"), std::string::npos) << http_log;
  ExpectNoTokenAnywhere();

  // The second clone fetches into the mirror, again with the token.
  Commit("3");
  fs::remove_all(fs::path(ctx_.workspace) / "src");
  out = Run("git", TokenStep(url, "src", kToken));
  ASSERT_TRUE(out.ok) << out.message << log_;
  EXPECT_EQ(Read("src/version.txt"), "3");
  ExpectNoTokenAnywhere();
}

TEST_F(GitCredentialsTest, TheServerRefusesACloneWithoutTheRightToken) {
  std::string url = StartServer();
  StepOutcome none = Run("git", Json{{"checkout", url}, {"branch", "main"}});
  EXPECT_FALSE(none.ok);
  StepOutcome wrong = Run("git", TokenStep(url, "src", "not-the-token"));
  EXPECT_FALSE(wrong.ok);
  std::string http_log = Slurp(dir_ / "http.log");
  EXPECT_NE(http_log.find("auth=none"), std::string::npos) << http_log;
  EXPECT_NE(http_log.find("auth=wrong"), std::string::npos) << http_log;
  EXPECT_EQ(http_log.find("auth=ok"), std::string::npos) << http_log;
}

TEST_F(GitCredentialsTest, ASecretTheServerDidNotGiveFailsTheStepNamingIt) {
  StepOutcome out =
      Run("git", Json{{"checkout", "https://127.0.0.1:1/r.git"}, {"access-token", "gh"}});
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.reason, "agent-error");
  EXPECT_NE(out.message.find("access-token: the value of secret 'gh'"), std::string::npos)
      << out.message;
  // A token is for HTTP(S) only.
  out = Run("git", TokenStep("file://" + repo_, "src", kToken));
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.message.find("access-token:"), std::string::npos) << out.message;
}

class GitSshKeyTest : public GitCredentialsTest {
 protected:
  void SetUp() override {
    GitCredentialsTest::SetUp();
    WriteExecutable(dir_ / "bin" / "ssh", kFakeSsh);
    std::ofstream(dir_ / "expected_key") << kKey << "\n";
  }
  Json KeyStep(const std::string& url) {
    return Json{
        {"checkout", url},
        {"branch", "main"},
        {"destination", "src"},
        {"ssh-key", "deploy"},
        {"#secrets", {{"ssh-key", {{"name", "deploy"}, {"username", "deployer"}, {"key", kKey}}}}}};
  }
};

TEST_F(GitSshKeyTest, AnSshKeyIsUsedFromAPrivateFileRemovedAfterTheStep) {
  StepOutcome out = Run("git", KeyStep("ssh://git@localhost" + repo_));
  ASSERT_TRUE(out.ok) << out.message << log_ << Slurp(dir_ / "ssh.log");
  EXPECT_EQ(Read("src/version.txt"), "2");
  std::string ssh_log = Slurp(dir_ / "ssh.log");
  EXPECT_NE(ssh_log.find("key-matches"), std::string::npos) << ssh_log;
  EXPECT_NE(ssh_log.find("key-mode 600\n"), std::string::npos) << ssh_log;
  EXPECT_NE(ssh_log.find("key-dir-mode 700\n"), std::string::npos) << ssh_log;
  EXPECT_NE(ssh_log.find("-o IdentitiesOnly=yes"), std::string::npos) << ssh_log;
  EXPECT_NE(ssh_log.find("-o StrictHostKeyChecking=accept-new"), std::string::npos) << ssh_log;
  EXPECT_NE(ssh_log.find("host git@localhost"), std::string::npos) << ssh_log;
  EXPECT_EQ(ssh_log.find("User="), std::string::npos) << "the URL names its user";
  size_t at = ssh_log.find("key-file ");
  ASSERT_NE(at, std::string::npos);
  std::string key_file = ssh_log.substr(at + 9, ssh_log.find('\n', at) - at - 9);
  EXPECT_FALSE(fs::exists(key_file)) << key_file;
  EXPECT_FALSE(fs::exists(fs::path(key_file).parent_path())) << key_file;
  EXPECT_EQ(Slurp(dir_ / "argv.log").find("not-a-real-key"), std::string::npos);
}

TEST_F(GitSshKeyTest, TheSecretsUserNameIsUsedWhenTheUrlNamesNone) {
  StepOutcome out = Run("git", KeyStep("ssh://localhost" + repo_));
  ASSERT_TRUE(out.ok) << out.message << log_;
  EXPECT_NE(Slurp(dir_ / "ssh.log").find("-o User=deployer"), std::string::npos)
      << Slurp(dir_ / "ssh.log");
}

TEST(GitBase64Test, MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace kraken::tools
