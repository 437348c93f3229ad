#include "agent/background_steps.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>

#include "proc/proc_fs.h"

namespace kraken::agent {
namespace {

using namespace std::chrono_literals;

class Log {
 public:
  void Append(std::string_view bytes) {
    std::lock_guard lock(mu_);
    text_ += bytes;
    cv_.notify_all();
  }
  bool WaitFor(const std::string& needle, std::chrono::seconds limit = 10s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return text_.find(needle) != std::string::npos; });
  }
  std::string text() {
    std::lock_guard lock(mu_);
    return text_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::string text_;
};

TEST(BackgroundStepsTest, OutputIsLabelledAndMaskedAndTheJobsEndStopsTheTree) {
  auto dir = std::filesystem::temp_directory_path() / ("kraken-bg-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string pid_file = (dir / "pid").string();
  proc::RealRunner runner;
  Log log;
  auto started_at = std::chrono::steady_clock::now();
  {
    BackgroundSteps background(runner, [&](std::string_view b) { log.Append(b); });
    background.SetStep(3, {"s3cr3t"});
    proc::SpawnOptions options;
    // A child of the command, so stopping must take the whole tree.
    options.argv =
        proc::ShellArgv("sleep 60 & echo $! > " + pid_file + "; echo one; echo the s3cr3t; wait");
    options.kill_grace = 2000ms;
    ASSERT_TRUE(background.Start(options));
    ASSERT_TRUE(log.WaitFor("[background step 3] the ******\n")) << log.text();
    EXPECT_NE(log.text().find("[background step 3] one\n"), std::string::npos) << log.text();
    EXPECT_EQ(log.text().find("s3cr3t"), std::string::npos) << log.text();
    background.StopAll();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started_at, 10s);
  pid_t sleeper = 0;
  std::ifstream(pid_file) >> sleeper;
  ASSERT_GT(sleeper, 0);
  auto info = proc::ReadProcessInfo(sleeper);  // gone, or a zombie nobody reaped yet
  EXPECT_TRUE(!info || info->HasEnded()) << "the command's child outlived the job";
  std::filesystem::remove_all(dir);
}

TEST(BackgroundStepsTest, ACommandThatEndsByItselfSaysHow) {
  proc::RealRunner runner;
  Log log;
  BackgroundSteps background(runner, [&](std::string_view b) { log.Append(b); });
  background.SetStep(0, {});
  proc::SpawnOptions options;
  options.argv = proc::ShellArgv("printf 'no newline'; exit 3");
  ASSERT_TRUE(background.Start(options));
  ASSERT_TRUE(log.WaitFor("[background step 0] ended: exit code 3\n")) << log.text();
  EXPECT_NE(log.text().find("[background step 0] no newline\n"), std::string::npos) << log.text();
}

}  // namespace
}  // namespace kraken::agent
