#include "proc/child_process.h"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "proc/proc_fs.h"
#include "proc/reaper.h"
#include "proc/runner.h"

namespace kraken::proc {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

struct Outcome {
  ProcessResult result;
  std::string output;
};

Outcome RunAndCollect(SpawnOptions options) {
  Outcome outcome;
  options.on_output = [&](std::string_view bytes) { outcome.output.append(bytes); };
  RealRunner runner;
  auto result = runner.Run(options);
  EXPECT_TRUE(result.has_value()) << result.error().message;
  if (result) outcome.result = *result;
  return outcome;
}

SpawnOptions Shell(std::string command) {
  SpawnOptions options;
  options.argv = ShellArgv(std::move(command));
  return options;
}

// A `sleep` argument no other process on the machine uses, so the test can
// find every process it started by its command line.
std::string UniqueSleepSeconds() {
  static int counter = 0;
  return "1001." + std::to_string(getpid()) + std::to_string(++counter);
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

int CountOpenFds() {
  int count = 0;
  DIR* dir = opendir("/proc/self/fd");
  while (dirent* entry = readdir(dir)) count += entry->d_name[0] != '.';
  closedir(dir);
  return count;
}

TEST(ChildProcessTest, InterleavesStdoutAndStderrInOrder) {
  Outcome outcome = RunAndCollect(Shell("for i in 1 2 3; do echo out$i; echo err$i >&2; done"));
  EXPECT_EQ(outcome.output, "out1\nerr1\nout2\nerr2\nout3\nerr3\n");
  EXPECT_TRUE(outcome.result.Succeeded());
  EXPECT_EQ(outcome.result.exit_code, 0);
}

TEST(ChildProcessTest, ReportsExitCode) {
  Outcome outcome = RunAndCollect(Shell("exit 3"));
  EXPECT_EQ(outcome.result.exit_code, 3);
  EXPECT_EQ(outcome.result.signal, 0);
  EXPECT_FALSE(outcome.result.Succeeded());
  EXPECT_EQ(Describe(outcome.result), "exit code 3");
}

TEST(ChildProcessTest, ReportsTerminatingSignal) {
  Outcome outcome = RunAndCollect(Shell("kill -KILL $$"));
  EXPECT_EQ(outcome.result.signal, SIGKILL);
  EXPECT_EQ(outcome.result.exit_code, -1);
  EXPECT_EQ(Describe(outcome.result), "killed by SIGKILL");
}

TEST(ChildProcessTest, AppliesEnvironmentOverrides) {
  setenv("KRAKEN_PROC_TEST_INHERITED", "yes", 1);
  SpawnOptions options = Shell("echo $KRAKEN_PROC_TEST_INHERITED $FOO");
  options.env["FOO"] = "bar baz";
  EXPECT_EQ(RunAndCollect(options).output, "yes bar baz\n");
}

TEST(ChildProcessTest, CleanEnvironmentHasOnlyOverridesAndMarker) {
  setenv("KRAKEN_PROC_TEST_INHERITED", "yes", 1);
  SpawnOptions options;
  options.argv = {"/usr/bin/env"};
  options.inherit_env = false;
  options.env["FOO"] = "bar";
  std::string output = RunAndCollect(options).output;
  EXPECT_THAT(output, HasSubstr("FOO=bar\n"));
  EXPECT_THAT(output, HasSubstr("KRAKEN_PROCESS_TREE="));
  EXPECT_THAT(output, Not(HasSubstr("KRAKEN_PROC_TEST_INHERITED")));
}

TEST(ChildProcessTest, RunsInWorkingDirectory) {
  char dir_template[] = "/tmp/kraken-proc-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  SpawnOptions options;
  options.argv = {"pwd"};
  options.cwd = dir_template;
  EXPECT_EQ(RunAndCollect(options).output, std::string(dir_template) + "\n");
  rmdir(dir_template);
}

TEST(ChildProcessTest, BashScriptStopsAtFirstFailure) {
  char path[] = "/tmp/kraken-proc-script-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string script = "echo before\nfalse | cat\necho after\n";
  ASSERT_EQ(write(fd, script.data(), script.size()), static_cast<ssize_t>(script.size()));
  close(fd);
  SpawnOptions options;
  options.argv = BashScriptArgv(path);
  Outcome outcome = RunAndCollect(options);
  EXPECT_EQ(outcome.output, "before\n");
  EXPECT_EQ(outcome.result.exit_code, 1);
  unlink(path);
}

TEST(ChildProcessTest, StdinIsDevNull) {
  SpawnOptions options;
  options.argv = {"cat"};
  options.timeout = milliseconds(5000);
  Outcome outcome = RunAndCollect(options);
  EXPECT_EQ(outcome.output, "");
  EXPECT_EQ(outcome.result.exit_code, 0);
}

TEST(ChildProcessTest, MissingExecutableIsAClearError) {
  SpawnOptions options;
  options.argv = {"kraken-no-such-command", "--flag"};
  RealRunner runner;
  auto process = runner.Spawn(options);
  ASSERT_FALSE(process.has_value());
  EXPECT_THAT(process.error().message, HasSubstr("kraken-no-such-command"));
  EXPECT_THAT(process.error().message, HasSubstr("not found"));

  options.argv = {"/nonexistent/kraken-tool"};
  process = runner.Spawn(options);
  ASSERT_FALSE(process.has_value());
  EXPECT_EQ(process.error().message,
            "cannot execute '/nonexistent/kraken-tool': No such file or directory");
}

TEST(ChildProcessTest, MissingWorkingDirectoryIsAClearError) {
  SpawnOptions options;
  options.argv = {"true"};
  options.cwd = "/nonexistent/dir";
  auto process = RealRunner().Spawn(options);
  ASSERT_FALSE(process.has_value());
  EXPECT_EQ(process.error().message,
            "cannot change directory to '/nonexistent/dir': No such file or directory");
}

TEST(ChildProcessTest, UnknownUserIsAClearError) {
  SpawnOptions options;
  options.argv = {"true"};
  options.user = "kraken-no-such-user";
  auto process = RealRunner().Spawn(options);
  ASSERT_FALSE(process.has_value());
  EXPECT_EQ(process.error().message, "user 'kraken-no-such-user' does not exist");
}

TEST(ChildProcessTest, RunsAsUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  if (getpwnam("nobody") == nullptr) GTEST_SKIP() << "no user 'nobody'";
  SpawnOptions options = Shell("id -u; id -g; echo $HOME $USER");
  options.user = "nobody";
  options.cwd = "/";
  Outcome outcome = RunAndCollect(options);
  struct passwd* nobody = getpwnam("nobody");
  EXPECT_EQ(outcome.output, std::to_string(nobody->pw_uid) + "\n" + std::to_string(nobody->pw_gid) +
                                "\n" + nobody->pw_dir + " nobody\n");
}

TEST(ChildProcessTest, LinesModeDeliversWholeLinesAndFinalUnterminatedLine) {
  SpawnOptions options = Shell("printf 'one\\ntw'; sleep 0.05; printf 'o\\nthree'");
  options.output_mode = OutputMode::kLines;
  std::vector<std::string> lines;
  options.on_output = [&](std::string_view line) { lines.emplace_back(line); };
  ASSERT_TRUE(RealRunner().Run(options).has_value());
  EXPECT_EQ(lines, (std::vector<std::string>{"one\n", "two\n", "three"}));
}

TEST(ChildProcessTest, PassesBinaryOutputThrough) {
  Outcome outcome = RunAndCollect(Shell("printf 'a\\377\\376\\000z'"));
  EXPECT_EQ(outcome.output, std::string("a\xff\xfe\0z", 5));
}

TEST(ChildProcessTest, DeliversTenMegabytesOfOutput) {
  constexpr size_t kBytes = 10 * 1024 * 1024;
  SpawnOptions options;
  options.argv = {"head", "-c", std::to_string(kBytes), "/dev/zero"};
  size_t received = 0;
  bool all_zero = true;
  options.on_output = [&](std::string_view bytes) {
    received += bytes.size();
    all_zero = all_zero && bytes.find_first_not_of('\0') == std::string_view::npos;
  };
  auto result = RealRunner().Run(options);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(received, kBytes);
  EXPECT_TRUE(all_zero);
}

// A plain child, a setsid'd grandchild orphaned by a double fork, and a child that leaves
// the session and clears its environment.
SpawnOptions EscapingTree(const std::string& seconds) {
  return Shell("(setsid sleep " + seconds + " &); sleep " + seconds +
               " & env -i /usr/bin/setsid /bin/sleep " + seconds + " & sleep " + seconds +
               "; wait");
}

TEST(ChildProcessTest, TimeoutKillsWholeTreeIncludingEscapedProcesses) {
  std::string seconds = UniqueSleepSeconds();
  SpawnOptions options = EscapingTree(seconds);
  options.timeout = milliseconds(500);
  options.kill_grace = milliseconds(200);
  auto process = RealRunner().Spawn(options);
  ASSERT_TRUE(process.has_value()) << process.error().message;

  ProcessResult result = (*process)->Wait();
  EXPECT_TRUE(result.timed_out);
  EXPECT_FALSE(result.cancelled);
  EXPECT_EQ(result.signal, SIGTERM);
  EXPECT_LT(result.duration, milliseconds(3000));
  EXPECT_THAT(RunningProcessesMentioning(seconds), ::testing::IsEmpty());
}

// As a subreaper the tree is looked for among this process's descendants only: the
// escaped processes must still be found there, wherever they were re-parented.
TEST(ChildProcessTest, SubreaperFindsEscapedProcessesAmongItsDescendants) {
  ASSERT_TRUE(EnableChildSubreaper().has_value());
  std::string seconds = UniqueSleepSeconds();
  SpawnOptions options = EscapingTree(seconds);
  options.timeout = milliseconds(500);
  options.kill_grace = milliseconds(200);
  auto result = RealRunner().Run(options);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->timed_out);
  EXPECT_THAT(RunningProcessesMentioning(seconds), ::testing::IsEmpty());

  // A step that exits leaving an escaped process behind: it is stopped too.
  std::string other = UniqueSleepSeconds();
  Outcome outcome = RunAndCollect(Shell("(setsid sleep " + other + " &); echo done"));
  EXPECT_EQ(outcome.output, "done\n");
  EXPECT_THAT(RunningProcessesMentioning(other), ::testing::IsEmpty());
}

TEST(ChildProcessTest, TreeIgnoringSigtermIsKilledAfterGracePeriod) {
  std::string seconds = UniqueSleepSeconds();
  // The ignored disposition is inherited by the sleeps too.
  SpawnOptions options = Shell("trap '' TERM; sleep " + seconds + " & sleep " + seconds);
  options.timeout = milliseconds(200);
  options.kill_grace = milliseconds(300);
  auto result = RealRunner().Run(options);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->timed_out);
  EXPECT_EQ(result->signal, SIGKILL);
  EXPECT_GE(result->duration, milliseconds(500));
  EXPECT_LT(result->duration, milliseconds(2000));
  EXPECT_THAT(RunningProcessesMentioning(seconds), ::testing::IsEmpty());
}

TEST(ChildProcessTest, CancelFromAnotherThreadStopsWithinOneSecond) {
  std::string seconds = UniqueSleepSeconds();
  SpawnOptions options = Shell("sleep " + seconds + " & sleep " + seconds);
  auto process = RealRunner().Spawn(options);
  ASSERT_TRUE(process.has_value());

  std::chrono::steady_clock::time_point cancelled_at;
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(200));
    cancelled_at = std::chrono::steady_clock::now();
    (*process)->Cancel();
  });
  ProcessResult result = (*process)->Wait();
  auto stopped_at = std::chrono::steady_clock::now();
  canceller.join();

  EXPECT_TRUE(result.cancelled);
  EXPECT_FALSE(result.timed_out);
  EXPECT_LT(stopped_at - cancelled_at, milliseconds(1000));
  EXPECT_THAT(RunningProcessesMentioning(seconds), ::testing::IsEmpty());
}

TEST(ChildProcessTest, CancelBeforeWaitTakesEffect) {
  std::string seconds = UniqueSleepSeconds();
  auto process = RealRunner().Spawn(Shell("sleep " + seconds));
  ASSERT_TRUE(process.has_value());
  (*process)->Cancel();
  ProcessResult result = (*process)->Wait();
  EXPECT_TRUE(result.cancelled);
  EXPECT_LT(result.duration, milliseconds(1000));
  // Waiting again returns the same result.
  EXPECT_TRUE((*process)->Wait().cancelled);
}

TEST(ChildProcessTest, BackgroundProcessLeftOverAfterExitIsStopped) {
  std::string seconds = UniqueSleepSeconds();
  Outcome outcome = RunAndCollect(Shell("sleep " + seconds + " & echo done"));
  EXPECT_EQ(outcome.output, "done\n");
  EXPECT_EQ(outcome.result.exit_code, 0);
  EXPECT_FALSE(outcome.result.timed_out);
  EXPECT_LT(outcome.result.duration, milliseconds(2000));
  EXPECT_THAT(RunningProcessesMentioning(seconds), ::testing::IsEmpty());
}

TEST(ChildProcessTest, DestroyingWithoutWaitKillsTheTree) {
  std::string seconds = UniqueSleepSeconds();
  {
    auto process = RealRunner().Spawn(Shell("sleep " + seconds + " & sleep " + seconds));
    ASSERT_TRUE(process.has_value());
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_THAT(RunningProcessesMentioning(seconds), ::testing::IsEmpty());
}

TEST(ChildProcessTest, RunsProcessesConcurrentlyFromSeveralThreads) {
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::vector<std::string> outputs(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      SpawnOptions options = Shell("for n in 1 2 3; do echo " + std::to_string(i) +
                                   "-$n; sleep 0.01; done; exit " + std::to_string(i));
      Outcome outcome = RunAndCollect(options);
      std::lock_guard<std::mutex> lock(mutex);
      EXPECT_EQ(outcome.result.exit_code, i);
      outputs[i] = outcome.output;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < 8; ++i) {
    std::string n = std::to_string(i);
    EXPECT_EQ(outputs[i], n + "-1\n" + n + "-2\n" + n + "-3\n");
  }
}

TEST(ChildProcessTest, DoesNotLeakFileDescriptors) {
  int before = CountOpenFds();
  RunAndCollect(Shell("echo hi"));
  auto failed = RealRunner().Spawn(SpawnOptions{.argv = {"/nonexistent"}});
  EXPECT_FALSE(failed.has_value());
  EXPECT_EQ(CountOpenFds(), before);
}

TEST(ChildProcessTest, SubreaperReapsOrphansOfAKilledTree) {
  ASSERT_TRUE(EnableChildSubreaper().has_value());
  std::string seconds = UniqueSleepSeconds();
  SpawnOptions options =
      Shell("(setsid sleep " + seconds + " &); (sleep " + seconds + " &); sleep " + seconds);
  options.timeout = milliseconds(300);
  options.kill_grace = milliseconds(200);
  auto result = RealRunner().Run(options);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->timed_out);
  EXPECT_THAT(RunningProcessesMentioning(seconds), ::testing::IsEmpty());
  int zombie_children = 0;
  for (const ProcessInfo& info : ListProcesses()) {
    zombie_children += info.parent_pid == getpid() && info.HasEnded();
  }
  EXPECT_EQ(zombie_children, 0);
}

}  // namespace
}  // namespace kraken::proc
