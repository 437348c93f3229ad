#include "proc/proc_fs.h"

#include <gtest/gtest.h>
#include <stdlib.h>
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
