// Runner starts processes. Code that runs commands takes a Runner& so tests
// can hand it a FakeRunner (fake_runner.h) instead of RealRunner.
//
// Thread-safety: RealRunner is stateless; Spawn() and Run() may be called
// from several threads at once, each driving its own Process. Spawn() reads
// the caller's environment, so no thread may call setenv() meanwhile.
#ifndef KRAKEN_PROC_RUNNER_H_
#define KRAKEN_PROC_RUNNER_H_

#include <memory>
#include <tl/expected.hpp>

#include "proc/process.h"

namespace kraken::proc {

class Runner {
 public:
  virtual ~Runner() = default;

  // Starts the process. Fails, without starting anything, when the command
  // cannot be executed: missing executable, bad cwd, unknown user, ...
  virtual tl::expected<std::unique_ptr<Process>, Error> Spawn(const SpawnOptions& options) = 0;

  // Spawn() then Wait().
  virtual tl::expected<ProcessResult, Error> Run(const SpawnOptions& options);
};

// Runs real processes with fork/exec. See process_tree.h for the
// process-wide settings (child subreaper) the agent may opt into.
class RealRunner : public Runner {
 public:
  tl::expected<std::unique_ptr<Process>, Error> Spawn(const SpawnOptions& options) override;
};

}  // namespace kraken::proc

#endif  // KRAKEN_PROC_RUNNER_H_
