// The background steps of one job (`shell` with `background: true`, as in Kraken CI): each
// command is started and left running while the job's next steps run. Its output, masked
// with the secrets of the step that started it, goes into the log of whichever step runs at
// the time, each line labelled `[background step N]`, so the job's log keeps it in time
// order. All of them are stopped, whole process trees, when the job ends (StopAll or the
// destructor).
//
// Thread-safe: Start() on the job's thread, output from one pump thread per command.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/secret_masker.h"
#include "agent/tools/tool.h"
#include "proc/runner.h"

namespace kraken::agent {

class BackgroundSteps : public tools::Background {
 public:
  // `log` appends to the job's current step log; `runner` starts the commands.
  BackgroundSteps(proc::Runner& runner, std::function<void(std::string_view)> log);
  ~BackgroundSteps() override;

  // The step whose commands Start() starts next, and its secret values.
  void SetStep(int64_t index, std::vector<std::string> secrets);
  Status Start(proc::SpawnOptions options) override;
  // Stops every command still running and waits for their trees to be gone.
  void StopAll();

 private:
  struct Command;

  proc::Runner& runner_;
  std::function<void(std::string_view)> log_;
  int64_t step_ = 0;
  std::vector<std::string> secrets_;
  std::vector<std::unique_ptr<Command>> commands_;
};

}  // namespace kraken::agent
