#include "proc/fake_runner.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

namespace kraken::proc {
namespace {

using std::chrono::milliseconds;

SpawnOptions Command(std::vector<std::string> argv) {
  SpawnOptions options;
  options.argv = std::move(argv);
  return options;
}

TEST(FakeRunnerTest, PlaysBackScriptedOutcomesByCommand) {
  FakeRunner runner;
  runner.Expect("git clone", {.output = "fatal: no such repo\n", .exit_code = 128});
  runner.Expect("make", {.output = "built\n"});

  std::string output;
  SpawnOptions make = Command({"make", "-j2"});
  make.on_output = [&](std::string_view bytes) { output.append(bytes); };
  auto made = runner.Run(make);
  ASSERT_TRUE(made.has_value());
  EXPECT_EQ(made->exit_code, 0);
  EXPECT_EQ(output, "built\n");

  auto cloned = runner.Run(Command({"git", "clone", "https://example.com/repo"}));
  ASSERT_TRUE(cloned.has_value());
  EXPECT_EQ(cloned->exit_code, 128);
  EXPECT_EQ(runner.pending(), 0u);

  EXPECT_EQ(runner.command_lines(),
            (std::vector<std::string>{"make -j2", "git clone https://example.com/repo"}));
  EXPECT_EQ(runner.spawned()[0].argv[1], "-j2");
}

TEST(FakeRunnerTest, UnmatchedSpawnUsesDefault) {
  FakeRunner runner;
  EXPECT_EQ(runner.Run(Command({"true"}))->exit_code, 0);
  runner.SetDefault({.signal = SIGSEGV});
  auto result = runner.Run(Command({"crash"}));
  EXPECT_EQ(result->signal, SIGSEGV);
  EXPECT_EQ(result->exit_code, -1);
}

TEST(FakeRunnerTest, ScriptedSpawnError) {
  FakeRunner runner;
  runner.Expect("", {.spawn_error = Error{"cannot run 'x': command not found in PATH", 2}});
  auto result = runner.Run(Command({"x"}));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().error_number, 2);
}

TEST(FakeRunnerTest, DeliversLinesInLineMode) {
  FakeRunner runner;
  runner.SetDefault({.output = "a\nb"});
  std::vector<std::string> lines;
  SpawnOptions options = Command({"x"});
  options.output_mode = OutputMode::kLines;
  options.on_output = [&](std::string_view line) { lines.emplace_back(line); };
  runner.Run(options);
  EXPECT_EQ(lines, (std::vector<std::string>{"a\n", "b"}));
}

TEST(FakeRunnerTest, HangingProcessTimesOut) {
  FakeRunner runner;
  runner.SetDefault({.runs_until_stopped = true});
  SpawnOptions options = Command({"sleep", "1000"});
  options.timeout = milliseconds(50);
  auto result = runner.Run(options);
  EXPECT_TRUE(result->timed_out);
  EXPECT_FALSE(result->cancelled);
  EXPECT_EQ(result->signal, SIGTERM);
}

TEST(FakeRunnerTest, HangingProcessStopsOnCancelFromAnotherThread) {
  FakeRunner runner;
  runner.SetDefault({.runs_until_stopped = true});
  auto process = runner.Spawn(Command({"sleep", "1000"}));
  ASSERT_TRUE(process.has_value());
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(20));
    (*process)->Cancel();
  });
  ProcessResult result = (*process)->Wait();
  canceller.join();
  EXPECT_TRUE(result.cancelled);
  EXPECT_FALSE(result.Succeeded());
}

}  // namespace
}  // namespace kraken::proc
