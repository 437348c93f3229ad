// The `shell` tool: runs a step's `cmd` (with /bin/sh -c) or `script` (a bash file that
// stops at the first failing command) in the job's workspace, with its output streamed
// to the job log. Fields: cmd | script, cwd, env, timeout (s), user.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "core/json.h"
#include "proc/runner.h"

namespace kraken::agent {

struct StepOutcome {
  bool ok = false;
  int64_t retcode = -1;
  std::string reason;   // "", exit-code, step-timeout, job-timeout, cancelled, agent-error
  std::string message;
};

// Lets another thread stop the running step.
class CancelHandle {
 public:
  void Set(proc::Process* p) {
    std::lock_guard lock(mu_);
    process_ = p;
    if (p && cancelled_) p->Cancel();
  }
  void Cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    if (process_) process_->Cancel();
  }
  bool cancelled() {
    std::lock_guard lock(mu_);
    return cancelled_;
  }

 private:
  std::mutex mu_;
  proc::Process* process_ = nullptr;  // GUARDED_BY(mu_)
  bool cancelled_ = false;            // GUARDED_BY(mu_)
};

struct StepContext {
  std::string workspace;
  Json env = Json::object();   // from the server: branch env vars, KK_* variables
  std::chrono::steady_clock::time_point job_deadline;
  std::function<void(std::string_view)> output;
  CancelHandle* cancel = nullptr;
};

StepOutcome RunShellStep(proc::Runner& runner, const Json& fields, const StepContext& ctx);

}  // namespace kraken::agent
