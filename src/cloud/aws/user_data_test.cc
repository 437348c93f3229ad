#include "cloud/aws/user_data.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cloud/aws/crypto.h"
#include "cloud/aws/test_http_server.h"

namespace kraken::aws {
namespace {

namespace fs = std::filesystem;

const std::string kSha = std::string(64, 'a');

AgentBootstrap Bootstrap() {
  return {"https://ci.example.com/", kSha, "tok-123", "apt-get install -y git\n"};
}

// Runs `bash` on a script file and returns its exit status and standard output.
struct BashRun {
  int status;
  std::string output;
};

BashRun RunShell(const std::string& shell, const std::string& args, const std::string& script) {
  fs::path path = fs::temp_directory_path() / ("kraken-user-data-" + std::to_string(::getpid()) +
                                               "-" + std::to_string(std::rand()) + ".sh");
  std::ofstream(path) << script;
  std::string command = shell + " " + args + " " + path.string() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  int status = pclose(pipe);
  fs::remove(path);
  return {status, output};
}

BashRun RunBash(const std::string& args, const std::string& script) {
  return RunShell("bash", args, script);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool HasLine(const std::string& text, const std::string& line) {
  for (const std::string& l : Lines(text)) {
    if (l == line) return true;
  }
  return false;
}

// The script's variable assignments, evaluated by bash, then printed back.
std::string EvaluateAssignments(const std::string& script, const std::string& variable) {
  std::string assignments;
  for (const std::string& line : Lines(script)) {
    if (line.starts_with("server=") || line.starts_with("agent_sha256=") ||
        line.starts_with("registration_token=")) {
      assignments += line + "\n";
    }
  }
  return RunBash("", assignments + "printf '%s' \"$" + variable + "\"\n").output;
}

TEST(LinuxUserDataTest, IsValidForEveryShell) {
  auto script = RenderLinuxUserData(Bootstrap());
  ASSERT_TRUE(script) << script.error().message;
  // dash (Debian's sh) is strictly POSIX; busybox's ash is the shell of minimal images.
  for (const char* shell : {"bash", "dash", "/bin/busybox sh"}) {
    if (std::string(shell) == "/bin/busybox sh" && !fs::exists("/bin/busybox")) continue;
    BashRun check = RunShell(shell, "-n", *script);
    EXPECT_EQ(check.status, 0) << shell << ": " << check.output << *script;
  }
}

TEST(LinuxUserDataTest, KeyLines) {
  std::string script = RenderLinuxUserData(Bootstrap()).value();
  EXPECT_TRUE(script.starts_with("#!/bin/sh\n"));
  EXPECT_TRUE(HasLine(script, "set -eu"));
  EXPECT_TRUE(HasLine(script, "server='https://ci.example.com'"));
  EXPECT_TRUE(HasLine(script, "agent_sha256='" + kSha + "'"));
  EXPECT_TRUE(HasLine(script, "registration_token='tok-123'"));
  EXPECT_TRUE(HasLine(script, "    curl -fsSL -o \"$2\" \"$1\""));
  EXPECT_TRUE(HasLine(script, "    wget -q -O \"$2\" \"$1\""));
  EXPECT_TRUE(HasLine(script, "until fetch \"$server/install/agent\" \"$agent.download\"; do"));
  EXPECT_TRUE(HasLine(script, "echo \"$agent_sha256  $agent.download\" | sha256sum -c -"));
  EXPECT_TRUE(HasLine(script, "chmod 0755 \"$agent.download\""));
  EXPECT_TRUE(HasLine(script,
                      "nohup \"$agent\" --server \"$server\" --registration-token "
                      "\"$registration_token\" --data-dir \"$data_dir\" "
                      ">>/var/log/kraken-agent.log 2>&1 </dev/null &"));
  EXPECT_TRUE(HasLine(script, "data_dir=/var/lib/kraken-agent"));
  EXPECT_TRUE(HasLine(script, "apt-get install -y git"));
  EXPECT_TRUE(HasLine(script,
                      "if command -v bash >/dev/null 2>&1; then bash \"$data_dir/init-script\" || "
                      "init_status=$?; else sh \"$data_dir/init-script\" || init_status=$?; fi"));
  // The init script prepares the machine before the agent starts and takes a job.
  EXPECT_LT(script.find("init-script"), script.find("nohup"));
  EXPECT_TRUE(HasLine(script, "echo \"kraken: the init script exited with status $init_status\""));
}

TEST(LinuxUserDataTest, PinsASelfSignedServerCertificate) {
  AgentBootstrap bootstrap = Bootstrap();
  bootstrap.server_fingerprint = std::string(64, 'B');
  std::string script = RenderLinuxUserData(bootstrap).value();
  EXPECT_EQ(RunBash("-n", script).status, 0) << script;
  EXPECT_TRUE(HasLine(script, "tls_fingerprint='" + std::string(64, 'b') + "'"));
  // The download skips the certificate check; the checksum that follows vouches for it.
  EXPECT_TRUE(HasLine(script, "    curl -fsSL --insecure -o \"$2\" \"$1\""));
  EXPECT_TRUE(HasLine(script, "    wget -q --no-check-certificate -O \"$2\" \"$1\""));
  EXPECT_TRUE(HasLine(script, "echo \"$agent_sha256  $agent.download\" | sha256sum -c -"));
  EXPECT_TRUE(HasLine(script,
                      "nohup \"$agent\" --server \"$server\" --tls-fingerprint "
                      "\"$tls_fingerprint\" --registration-token \"$registration_token\" "
                      "--data-dir \"$data_dir\" >>/var/log/kraken-agent.log 2>&1 </dev/null &"));
  // Without a fingerprint the certificate is checked.
  EXPECT_EQ(RenderLinuxUserData(Bootstrap()).value().find("--insecure"), std::string::npos);

  bootstrap.server_fingerprint = "not hex";
  EXPECT_FALSE(RenderLinuxUserData(bootstrap));
}

TEST(LinuxUserDataTest, QuotesHostileValues) {
  AgentBootstrap bootstrap = Bootstrap();
  bootstrap.server_url = "https://ci.example.com/a b'c\"$(touch /tmp/pwned)`x`";
  bootstrap.registration_token = "it's a \"token\" with $HOME and `cmd` \\ spaces";
  std::string script = RenderLinuxUserData(bootstrap).value();
  EXPECT_EQ(RunBash("-n", script).status, 0) << script;
  EXPECT_EQ(EvaluateAssignments(script, "server"), bootstrap.server_url);
  EXPECT_EQ(EvaluateAssignments(script, "registration_token"), bootstrap.registration_token);
  EXPECT_EQ(EvaluateAssignments(script, "agent_sha256"), kSha);
}

TEST(LinuxUserDataTest, InitScriptIsCarriedVerbatim) {
  AgentBootstrap bootstrap = Bootstrap();
  bootstrap.init_script =
      "#!/bin/sh\necho \"$HOME\" '$(x)' `y`\nKRAKEN_INIT_SCRIPT\ncat <<EOF\nhi\nEOF";
  std::string script = RenderLinuxUserData(bootstrap).value();
  EXPECT_EQ(RunBash("-n", script).status, 0) << script;
  EXPECT_TRUE(HasLine(script, "cat >\"$data_dir/init-script\" <<'KRAKEN_INIT_SCRIPT_1'"));
  EXPECT_TRUE(
      HasLine(script, "\"$data_dir/init-script\" || init_status=$?"));  // its own interpreter

  // Replay the here-document alone and compare what it writes.
  const std::string end_line = "\nKRAKEN_INIT_SCRIPT_1\n";
  size_t start = script.find("<<'KRAKEN_INIT_SCRIPT_1'");
  size_t end = script.find(end_line, start) + end_line.size();
  std::string here = "cat " + script.substr(start, end - start);
  EXPECT_EQ(RunBash("", here).output, bootstrap.init_script + "\n");
}

TEST(LinuxUserDataTest, NoInitScriptSection) {
  AgentBootstrap bootstrap = Bootstrap();
  bootstrap.init_script.clear();
  std::string script = RenderLinuxUserData(bootstrap).value();
  EXPECT_EQ(script.find("init-script"), std::string::npos);
  EXPECT_EQ(RunBash("-n", script).status, 0);
}

// Points the script's fixed install paths into `dir`, so that it can run unprivileged.
std::string Relocate(std::string script, const fs::path& dir) {
  auto replace = [&](const std::string& from, const std::string& to) {
    size_t pos = script.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    script.replace(pos, from.size(), to);
  };
  replace("data_dir=/var/lib/kraken-agent", "data_dir=" + (dir / "data").string());
  replace("agent=/usr/local/bin/kraken-agent", "agent=" + (dir / "bin" / "kraken-agent").string());
  replace("/var/log/kraken-agent.log", (dir / "agent.log").string());
  return script;
}

fs::path MakeTempDir() {
  fs::path dir = fs::temp_directory_path() / ("kraken-user-data-run-" + std::to_string(::getpid()) +
                                              "-" + std::to_string(std::rand()));
  fs::create_directories(dir);
  return dir;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A stand-in agent that records the arguments it was started with.
const std::string kFakeAgent = "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$0.args\"\n";

TEST(LinuxUserDataTest, DownloadsVerifiesAndStartsAgent) {
  if (system("command -v curl >/dev/null || command -v wget >/dev/null") != 0) {
    GTEST_SKIP() << "needs curl or wget";
  }
  fs::path dir = MakeTempDir();
  std::string request_line;
  OneRequestServer server([&](const std::string& raw) {
    request_line = raw.substr(0, raw.find("\r\n"));
    return HttpReply(200, "OK", kFakeAgent);
  });
  AgentBootstrap bootstrap{server.url(), HexEncode(Sha256(kFakeAgent)), "tok 'with' \"quotes\"",
                           "echo init ran > " + (dir / "init-ran").string() + "\n"};
  BashRun run = RunShell("sh", "", Relocate(RenderLinuxUserData(bootstrap).value(), dir));
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(request_line, "GET /install/agent HTTP/1.1");
  EXPECT_EQ(ReadFile(dir / "init-ran"), "init ran\n");

  // The agent runs in the background: wait for it to write down its arguments.
  fs::path args = dir / "bin" / "kraken-agent.args";
  for (int i = 0; i < 100 && ReadFile(args).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(ReadFile(args), "--server\n" + server.url() +
                                "\n--registration-token\ntok 'with' \"quotes\"\n--data-dir\n" +
                                (dir / "data").string() + "\n");
  fs::remove_all(dir);
}

TEST(LinuxUserDataTest, AFailingInitScriptRunsFirstAndTheAgentStartsAllTheSame) {
  if (system("command -v curl >/dev/null || command -v wget >/dev/null") != 0) {
    GTEST_SKIP() << "needs curl or wget";
  }
  fs::path dir = MakeTempDir();
  OneRequestServer server([&](const std::string&) { return HttpReply(200, "OK", kFakeAgent); });
  // The init script sees no agent started yet, then fails.
  AgentBootstrap bootstrap{
      server.url(), HexEncode(Sha256(kFakeAgent)), "tok",
      "test -e " + (dir / "bin" / "kraken-agent.args").string() + " && echo agent-first\nexit 3\n"};
  BashRun run = RunShell("sh", "", Relocate(RenderLinuxUserData(bootstrap).value(), dir));
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(run.output.find("agent-first"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("kraken: the init script exited with status 3"), std::string::npos)
      << run.output;
  fs::path args = dir / "bin" / "kraken-agent.args";
  for (int i = 0; i < 100 && ReadFile(args).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(ReadFile(args).find("--registration-token\ntok\n"), std::string::npos);
  fs::remove_all(dir);
}

TEST(LinuxUserDataTest, RefusesAgentWithWrongChecksum) {
  if (system("command -v curl >/dev/null || command -v wget >/dev/null") != 0) {
    GTEST_SKIP() << "needs curl or wget";
  }
  fs::path dir = MakeTempDir();
  OneRequestServer server(
      [&](const std::string&) { return HttpReply(200, "OK", kFakeAgent + "# tampered\n"); });
  AgentBootstrap bootstrap{server.url(), HexEncode(Sha256(kFakeAgent)), "tok",
                           "touch " + (dir / "init-ran").string() + "\n"};
  BashRun run = RunShell("sh", "", Relocate(RenderLinuxUserData(bootstrap).value(), dir));
  EXPECT_NE(run.status, 0) << run.output;
  EXPECT_FALSE(fs::exists(dir / "bin" / "kraken-agent"));
  EXPECT_FALSE(fs::exists(dir / "init-ran"));
  fs::remove_all(dir);
}

// A machine with neither curl nor wget (Debian's minbase): bash fetches the plain-http agent.
TEST(LinuxUserDataTest, FetchesWithBashWhenTheMachineHasNeitherCurlNorWget) {
  fs::path dir = MakeTempDir();
  fs::create_directories(dir / "path");
  for (const char* program :
       {"sh", "bash", "mkdir", "dirname", "sha256sum", "chmod", "mv", "nohup", "cat", "sleep"}) {
    std::string found = RunBash("", std::string("command -v ") + program).output;
    ASSERT_FALSE(found.empty()) << program;
    found.pop_back();
    fs::create_symlink(found, dir / "path" / program);
  }
  std::string request;
  OneRequestServer server([&](const std::string& raw) {
    request = raw.substr(0, raw.find("\r\n\r\n"));
    return HttpReply(200, "OK", kFakeAgent);
  });
  AgentBootstrap bootstrap{server.url(), HexEncode(Sha256(kFakeAgent)), "tok", ""};
  BashRun run = RunShell("env PATH=" + (dir / "path").string() + " sh", "",
                         Relocate(RenderLinuxUserData(bootstrap).value(), dir));
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_TRUE(request.starts_with("GET /install/agent HTTP/1.0\r\n")) << request;
  EXPECT_EQ(ReadFile(dir / "bin" / "kraken-agent"), kFakeAgent);

  // Without bash, or over https, it says what the machine lacks.
  fs::remove(dir / "path" / "bash");
  fs::remove(dir / "bin" / "kraken-agent");
  std::string script = Relocate(RenderLinuxUserData(bootstrap).value(), dir);
  script.replace(script.find("sleep 3"), 7, "sleep 0");
  run = RunShell("env PATH=" + (dir / "path").string() + " sh", "", script);
  EXPECT_NE(run.status, 0);
  EXPECT_NE(run.output.find("this machine has neither curl nor wget"), std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(dir / "bin" / "kraken-agent"));
  fs::remove_all(dir);
}

TEST(UserDataTest, RejectsBadInput) {
  AgentBootstrap no_scheme = Bootstrap();
  no_scheme.server_url = "ci.example.com";
  AgentBootstrap short_sha = Bootstrap();
  short_sha.agent_sha256 = "abc";
  AgentBootstrap non_hex = Bootstrap();
  non_hex.agent_sha256 = std::string(63, 'a') + "g";
  AgentBootstrap no_token = Bootstrap();
  no_token.registration_token.clear();
  AgentBootstrap newline_token = Bootstrap();
  newline_token.registration_token = "a\nb";
  for (const AgentBootstrap& bad : {no_scheme, short_sha, non_hex, no_token, newline_token}) {
    EXPECT_FALSE(RenderLinuxUserData(bad));
  }
}

TEST(UserDataTest, NormalisesChecksumCase) {
  AgentBootstrap bootstrap = Bootstrap();
  bootstrap.agent_sha256 = std::string(64, 'A');
  EXPECT_TRUE(HasLine(RenderLinuxUserData(bootstrap).value(), "agent_sha256='" + kSha + "'"));
}

TEST(QuotingTest, Shell) {
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
}

}  // namespace
}  // namespace kraken::aws
