// FakeRunner is a Runner for unit tests of code that runs commands: it
// starts nothing, records every Spawn() and plays back scripted outcomes.
//
//   FakeRunner runner;
//   runner.Expect("git clone", {.output = "Cloning...\n", .exit_code = 128});
//   CodeUnderTest(runner);
//   EXPECT_EQ(runner.spawned()[0].cwd, "/work");
//
// Thread-safety: all methods are safe to call from any thread; the fake
// processes it returns behave like real ones (see process.h).
#ifndef KRAKEN_PROC_FAKE_RUNNER_H_
#define KRAKEN_PROC_FAKE_RUNNER_H_

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "proc/runner.h"

namespace kraken::proc {

// What one fake process does.
struct FakeOutcome {
  // Passed to on_output as if the process wrote it (in lines if asked).
  std::string output;
  int exit_code = 0;
  int signal = 0;  // Non-zero: the process "died" of this signal.
  // Set: Spawn() fails with this error instead.
  std::optional<Error> spawn_error;
  // The process runs until cancelled or timed out (real time passes), then
  // ends by SIGTERM, like a `sleep` would.
  bool runs_until_stopped = false;
};

class FakeRunner : public Runner {
 public:
  // Queues `outcome` for a later spawn whose command line (argv joined by
  // spaces) contains `command_part`; "" matches any. Each queued outcome is
  // used once; the earliest matching one is used first.
  void Expect(std::string command_part, FakeOutcome outcome);

  // What a spawn that matches no queued outcome does. By default it exits
  // with 0 and writes nothing.
  void SetDefault(FakeOutcome outcome);

  tl::expected<std::unique_ptr<Process>, Error> Spawn(const SpawnOptions& options) override;

  // The options of every Spawn() so far, in order.
  std::vector<SpawnOptions> spawned() const;
  // Command lines (argv joined by spaces) of every Spawn() so far.
  std::vector<std::string> command_lines() const;
  // Queued outcomes not used yet.
  size_t pending() const;

 private:
  struct Expectation {
    std::string command_part;
    FakeOutcome outcome;
  };

  mutable std::mutex mutex_;
  std::deque<Expectation> expectations_;  // Guarded by mutex_.
  FakeOutcome default_outcome_;           // Guarded by mutex_.
  std::vector<SpawnOptions> spawned_;     // Guarded by mutex_.
  pid_t next_pid_ = 100000;               // Guarded by mutex_.
};

// Joins argv with spaces, as FakeRunner matches it.
std::string JoinCommandLine(const std::vector<std::string>& argv);

}  // namespace kraken::proc

#endif  // KRAKEN_PROC_FAKE_RUNNER_H_
