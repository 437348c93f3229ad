#include "proc/daemon.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "proc/proc_fs.h"
#include "proc/reaper.h"

namespace kraken::proc {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string UniqueSleepSeconds() {
  static int counter = 0;
  return "1002." + std::to_string(getpid()) + std::to_string(++counter);
}

std::vector<pid_t> RunningProcessesMentioning(const std::string& needle) {
  std::vector<pid_t> found;
  for (const ProcessInfo& info : ListProcesses()) {
    if (info.HasEnded()) continue;
    for (const std::string& arg : ReadCommandLine(info.pid)) {
      if (arg.find(needle) != std::string::npos) {
        found.push_back(info.pid);
        break;
      }
    }
  }
  return found;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/kraken-daemon-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
  }
  void TearDown() override {
    unlink((dir_ + "/agent.log").c_str());
    rmdir(dir_.c_str());
  }

  tl::expected<pid_t, Error> Start(std::string command) {
    SpawnOptions options;
    options.argv = ShellArgv(std::move(command));
    options.cwd = dir_;
    return StartDaemon(options, log_path());
  }

  std::string log_path() const { return dir_ + "/agent.log"; }

  std::string dir_;
};

TEST_F(DaemonTest, RunsInOwnGroupNotAsChildAndLogsOutput) {
  std::string seconds = UniqueSleepSeconds();
  auto pid = Start("echo started; echo oops >&2; pwd; exec sleep " + seconds);
  ASSERT_TRUE(pid.has_value()) << pid.error().message;
  EXPECT_TRUE(IsAlive(*pid));

  auto info = ReadProcessInfo(*pid);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->group_id, *pid);
  EXPECT_EQ(info->session_id, *pid);
  // A subreaper adopts the daemon once the intermediate process exits.
  if (!IsChildSubreaper()) {
    EXPECT_NE(info->parent_pid, getpid());
  }

  std::string expected = "started\noops\n" + dir_ + "\n";
  for (int i = 0; i < 100 && ReadFile(log_path()) != expected; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(ReadFile(log_path()), expected);

  ASSERT_TRUE(KillGroup(*pid, milliseconds(500)).has_value());
  EXPECT_FALSE(IsAlive(*pid));
  EXPECT_THAT(RunningProcessesMentioning(seconds), IsEmpty());
}

TEST_F(DaemonTest, KillGroupStopsDescendantsThatLeftTheGroup) {
  std::string seconds = UniqueSleepSeconds();
  auto pid =
      Start("(setsid sleep " + seconds + " &); setsid sleep " + seconds + " & sleep " + seconds);
  ASSERT_TRUE(pid.has_value());
  for (int i = 0; i < 100 && RunningProcessesMentioning("sleep").size() < 3; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_TRUE(KillGroup(*pid, milliseconds(500)).has_value());
  EXPECT_THAT(RunningProcessesMentioning(seconds), IsEmpty());
}

TEST_F(DaemonTest, KillGroupEscalatesToSigkill) {
  std::string seconds = UniqueSleepSeconds();
  auto pid = Start("trap '' TERM; sleep " + seconds);
  ASSERT_TRUE(pid.has_value());
  std::this_thread::sleep_for(milliseconds(50));
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(KillGroup(*pid, milliseconds(200)).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(200));
  EXPECT_FALSE(IsAlive(*pid));
  EXPECT_THAT(RunningProcessesMentioning(seconds), IsEmpty());
}

TEST_F(DaemonTest, ReportsWhyItCannotStart) {
  SpawnOptions options;
  options.argv = {"kraken-no-such-agent"};
  auto missing = StartDaemon(options, log_path());
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing.error().message, HasSubstr("command not found"));

  options.argv = {"/nonexistent/kraken"};
  auto failed_exec = StartDaemon(options, log_path());
  ASSERT_FALSE(failed_exec.has_value());
  EXPECT_THAT(failed_exec.error().message, HasSubstr("cannot execute '/nonexistent/kraken'"));

  options.argv = {"true"};
  auto bad_log = StartDaemon(options, "/nonexistent/dir/agent.log");
  ASSERT_FALSE(bad_log.has_value());
  EXPECT_THAT(bad_log.error().message, HasSubstr("cannot open log file"));
}

TEST(IsAliveTest, KnowsLiveAndMissingProcesses) {
  EXPECT_TRUE(IsAlive(getpid()));
  EXPECT_FALSE(IsAlive(0x3ffffff));
  EXPECT_FALSE(IsAlive(0));
  EXPECT_FALSE(IsAlive(-1));
}

TEST(KillGroupTest, GoneGroupIsNotAnError) {
  EXPECT_TRUE(KillGroup(0x3ffffff, milliseconds(10)).has_value());
}

TEST(KillGroupTest, RefusesGroupsThatMeanEveryone) {
  EXPECT_FALSE(KillGroup(0, milliseconds(10)).has_value());
  EXPECT_FALSE(KillGroup(1, milliseconds(10)).has_value());
  EXPECT_FALSE(KillGroup(-1, milliseconds(10)).has_value());
  EXPECT_FALSE(KillGroup(getpid(), milliseconds(10)).has_value());
}

}  // namespace
}  // namespace kraken::proc
