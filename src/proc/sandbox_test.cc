#include "proc/sandbox.h"

#include <dirent.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

namespace kraken::proc {
namespace {

namespace fs = std::filesystem;

// A folder readable by everyone (so that `nobody` could read it but for the sandbox):
// secret/key, agents/a/own, agents/b/other.
class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::ifstream f("/proc/sys/kernel/unprivileged_userns_clone"); f) {
      int allowed = 1;
      if (f >> allowed; allowed == 0)
        GTEST_SKIP() << "this kernel is set to refuse user namespaces "
                        "(kernel.unprivileged_userns_clone=0)";
    }
    char tmpl[] = "/tmp/kraken-sandbox-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ / "secret");
    fs::create_directories(root_ / "agents/a");
    fs::create_directories(root_ / "agents/b");
    std::ofstream(root_ / "secret/key") << "SECRET";
    std::ofstream(root_ / "agents/a/own") << "OWN";
    std::ofstream(root_ / "agents/b/other") << "OTHER";
    for (const auto& e : fs::recursive_directory_iterator(root_))
      ::chmod(e.path().c_str(), e.is_directory() ? 0755 : 0644);
    ::chmod(root_.c_str(), 0755);
  }
  void TearDown() override {
    if (!root_.empty()) fs::remove_all(root_);
  }

  SandboxOptions Options() const {
    return {{(root_ / "secret").string(), (root_ / "agents").string(), "/no/such/folder"},
            (root_ / "agents/a").string()};
  }

  // Runs `probe` in a child (as `uid` when not -1) that enters the sandbox; returns what the
  // probe wrote, and the child's exit status in `status`.
  std::string InSandbox(uid_t uid, const std::function<std::string()>& probe, int* status) {
    int out[2];
    EXPECT_EQ(pipe(out), 0);
    pid_t child = fork();
    if (child == 0) {
      close(out[0]);
      if (uid != static_cast<uid_t>(-1)) {
        if (setgroups(0, nullptr) != 0 || setresgid(uid, uid, uid) != 0 ||
            setresuid(uid, uid, uid) != 0)
          _exit(90);
        // As an agent started with exec as that user is (a change of user without exec
        // leaves the process undumpable, its /proc/self root's).
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
      }
      std::string text = "before:" + Read(root_ / "secret/key") + "\n";
      auto entered = EnterSandbox(Options());
      if (!entered)
        text += "failed: " + entered.error().message + "\n";
      else
        text += probe();
      (void)!write(out[1], text.data(), text.size());
      _exit(entered ? 0 : 91);
    }
    close(out[1]);
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) > 0;) text.append(buffer, n);
    close(out[0]);
    waitpid(child, status, 0);
    return text;
  }

  static std::string Read(const fs::path& p) {
    std::ifstream f(p);
    if (!f) return "<" + std::string(std::strerror(errno)) + ">";
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }

  // What a job of the sandbox sees.
  std::string Probe() const {
    std::string text = "pid:" + std::to_string(getpid()) + "\n";
    text += "secret:" + Read(root_ / "secret/key") + "\n";
    text += "own:" + Read(root_ / "agents/a/own") + "\n";
    text += "other:" + Read(root_ / "agents/b/other") + "\n";
    int processes = 0;
    for (const auto& e : fs::directory_iterator("/proc"))
      if (std::isdigit(static_cast<unsigned char>(e.path().filename().string()[0]))) ++processes;
    text += "processes:" + std::to_string(processes) + "\n";
    // A program the sandbox runs tries to take the cover off.
    std::string cmd = "umount -l " + (root_ / "secret").string() + " 2>/dev/null; umount " +
                      (root_ / "secret").string() + " 2>/dev/null; cat " +
                      (root_ / "secret/key").string() + " 2>/dev/null || echo refused";
    FILE* p = popen(cmd.c_str(), "r");
    char line[256] = {};
    std::string got;
    while (p && fgets(line, sizeof line, p)) got += line;
    if (p) pclose(p);
    text += "job:" + got;
    return text;
  }

  void ExpectContained(const std::string& text) {
    EXPECT_NE(text.find("before:SECRET\n"), std::string::npos) << text;  // readable outside
    EXPECT_NE(text.find("pid:1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("secret:<No such file or directory>\n"), std::string::npos) << text;
    EXPECT_NE(text.find("own:OWN\n"), std::string::npos) << text;
    EXPECT_NE(text.find("other:<No such file or directory>\n"), std::string::npos) << text;
    EXPECT_NE(text.find("processes:1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("job:refused\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("SECRET", text.find('\n')), std::string::npos) << text;
  }

  fs::path root_;
};

TEST_F(SandboxTest, HidesFoldersButKeepsItsOwnAndShowsNoOtherProcess) {
  int status = 0;
  std::string text = InSandbox(
      static_cast<uid_t>(-1), [&] { return Probe(); }, &status);
  ExpectContained(text);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST_F(SandboxTest, WorksForAnUnprivilegedUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to become another user (nobody)";
  int status = 0;
  std::string text = InSandbox(
      65534, [&] { return Probe(); }, &status);
  ExpectContained(text);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// Forks a child that enters the sandbox, says so on a pipe and runs `then` there. Returns
// the child (the sandbox's outer process) and, in `ready_fd`, the pipe's reading end.
pid_t StartSandboxed(const SandboxOptions& options, int* ready_fd, void (*then)()) {
  int out[2];
  if (pipe(out) != 0) return -1;
  pid_t child = fork();
  if (child == 0) {
    close(out[0]);
    if (!EnterSandbox(options)) _exit(91);
    (void)!write(out[1], "ready", 5);
    then();
    _exit(0);
  }
  close(out[1]);
  char buffer[8] = {};
  if (read(out[0], buffer, 5) != 5) return -1;
  *ready_fd = out[0];
  return child;
}

TEST_F(SandboxTest, TheOuterProcessEndsAsTheSandboxEndsAndForwardsSigterm) {
  int ready = -1;
  pid_t child = StartSandboxed(Options(), &ready, [] {
    // The stop signals arrive blocked: the sandbox takes them when it is ready.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    int signal = 0;
    sigwait(&set, &signal);
    _exit(signal == SIGTERM ? 42 : 43);
  });
  ASSERT_GT(child, 0);
  close(ready);
  ASSERT_EQ(kill(child, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 42);
}

TEST_F(SandboxTest, KillingTheOuterProcessEndsTheSandbox) {
  int ready = -1;
  pid_t child = StartSandboxed(Options(), &ready, [] {
    for (;;) pause();
  });
  ASSERT_GT(child, 0);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  // The pipe reads its end once the sandbox, which holds it too, is gone.
  struct pollfd p {
    ready, POLLIN, 0
  };
  ASSERT_EQ(poll(&p, 1, 10'000), 1) << "the sandbox outlived its outer process";
  char buffer[1];
  EXPECT_EQ(read(ready, buffer, 1), 0);
  close(ready);
}

TEST_F(SandboxTest, RefusesAThreadedProcessAndChangesNothing) {
  std::thread sleeper([] { std::this_thread::sleep_for(std::chrono::milliseconds(200)); });
  auto entered = EnterSandbox(Options());
  sleeper.join();
  ASSERT_FALSE(entered);
  EXPECT_NE(entered.error().message.find("threads"), std::string::npos) << entered.error().message;
  EXPECT_EQ(Read(root_ / "secret/key"), "SECRET");
}

}  // namespace
}  // namespace kraken::proc
