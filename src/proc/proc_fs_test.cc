#include "proc/proc_fs.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

namespace kraken::proc {
namespace {

TEST(ProcFsTest, ParsesStatWithAwkwardCommandName) {
  auto info = ParseStat(
      "4242 (a) b (c)) S 17 4242 4240 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 "
      "1000 200 18446744073709551615\n");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->pid, 4242);
  EXPECT_EQ(info->parent_pid, 17);
  EXPECT_EQ(info->group_id, 4242);
  EXPECT_EQ(info->session_id, 4240);
  EXPECT_EQ(info->state, 'S');
  EXPECT_EQ(info->start_time, 987654u);
  EXPECT_FALSE(info->HasEnded());
}

TEST(ProcFsTest, ListsDescendantsDownToGrandchildren) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pid_t grandchild = fork();
    if (grandchild == 0) {
      pause();
      _exit(0);
    }
    [[maybe_unused]] ssize_t n = write(ready[1], &grandchild, sizeof grandchild);
    pause();
    _exit(0);
  }
  pid_t grandchild = 0;
  ASSERT_EQ(read(ready[0], &grandchild, sizeof grandchild),
            static_cast<ssize_t>(sizeof grandchild));
  auto descendants = ListDescendants();
  kill(grandchild, SIGKILL);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  close(ready[0]);
  close(ready[1]);
  ASSERT_TRUE(descendants.has_value()) << "this kernel offers no /proc/<pid>/task/<tid>/children";
  bool found_child = false, found_grandchild = false;
  for (const ProcessInfo& p : *descendants) {
    found_child |= p.pid == child && p.parent_pid == getpid();
    found_grandchild |= p.pid == grandchild && p.parent_pid == child;
    EXPECT_NE(p.pid, getpid());
  }
  EXPECT_TRUE(found_child);
  EXPECT_TRUE(found_grandchild);
}

TEST(ProcFsTest, RejectsTruncatedStat) {
  EXPECT_FALSE(ParseStat("4242 (sleep) S 17 4242").has_value());
  EXPECT_FALSE(ParseStat("").has_value());
}

TEST(ProcFsTest, ReadsOwnProcess) {
  auto info = ReadProcessInfo(getpid());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->pid, getpid());
  EXPECT_EQ(info->parent_pid, getppid());
  EXPECT_EQ(info->group_id, getpgrp());

  bool found_self = false;
  for (const ProcessInfo& process : ListProcesses()) found_self |= process.pid == getpid();
  EXPECT_TRUE(found_self);
  EXPECT_FALSE(ReadCommandLine(getpid()).empty());
}

TEST(ProcFsTest, ReadsEnvironmentAsStarted) {
  // /proc shows the environment the process was exec'd with, so look for
  // something the test runner certainly passed.
  const char* path = getenv("PATH");
  if (path == nullptr) GTEST_SKIP() << "no PATH";
  EXPECT_TRUE(EnvironContains(getpid(), std::string("PATH=") + path));
  EXPECT_EQ(ReadEnvironEntry(getpid(), "PATH"), std::string("PATH=") + path);
  EXPECT_FALSE(ReadEnvironEntry(getpid(), "KRAKEN_NO_SUCH_VARIABLE").has_value());
}

TEST(ProcFsTest, VanishedProcessReadsAsAbsent) {
  EXPECT_FALSE(ReadProcessInfo(0x3ffffff).has_value());
  EXPECT_TRUE(ReadCommandLine(0x3ffffff).empty());
  EXPECT_FALSE(EnvironContains(0x3ffffff, "PATH=/bin"));
}

}  // namespace
}  // namespace kraken::proc
