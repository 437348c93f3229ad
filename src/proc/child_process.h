// ChildProcess is the real Process: a forked and exec'd child, its output
// pipe and the tree of processes it starts.
//
// Wait() runs a poll() loop over the output pipe, a pidfd for the child's
// exit and an eventfd that Cancel() writes to, so cancellation wakes it at
// once instead of at the next tick of a sleep loop.
//
// Reaping: the child is reaped with waitpid(pid) only, never waitpid(-1),
// so several ChildProcesses can run on different threads. The rest of the
// program must not reap children it did not fork (no waitpid(-1), no
// SIGCHLD set to SIG_IGN).
//
// Thread-safety: see process.h. Destroying a ChildProcess that was not
// waited for kills its tree at once (no grace period) and reaps it.
#ifndef KRAKEN_PROC_CHILD_PROCESS_H_
#define KRAKEN_PROC_CHILD_PROCESS_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <tl/expected.hpp>

#include "proc/line_splitter.h"
#include "proc/process.h"
#include "proc/process_tree.h"

namespace kraken::proc {

class ChildProcess : public Process {
 public:
  static tl::expected<std::unique_ptr<ChildProcess>, Error> Start(const SpawnOptions& options);

  ~ChildProcess() override;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const override { return pid_; }
  ProcessResult Wait() override;
  void Cancel() override;

 private:
  using Clock = std::chrono::steady_clock;

  ChildProcess(const SpawnOptions& options, pid_t pid, std::string marker, int output_fd,
               int pid_fd, int wake_fd);

  // Reads what the pipe holds now; closes it at end of file.
  void ReadOutput();
  void Deliver(std::string_view bytes);
  // Collects the child's exit status if it has exited.
  void TryReap();
  // Sends SIGTERM to the tree and starts the grace period.
  void StartStopping(Clock::time_point now);
  // Finishes the bookkeeping once Wait() is done.
  void Finish();

  const OutputCallback on_output_;
  std::optional<LineSplitter> line_splitter_;
  const std::chrono::milliseconds timeout_;
  const std::chrono::milliseconds kill_grace_;
  const Clock::time_point start_;

  const pid_t pid_;
  ProcessTree tree_;
  int output_fd_;      // Read end of the stdout+stderr pipe; -1 once at EOF.
  int pid_fd_;         // pidfd of the child, -1 if the kernel has none.
  const int wake_fd_;  // eventfd written by Cancel().
  std::atomic<bool> cancel_requested_{false};

  bool reaped_ = false;
  int wait_status_ = 0;
  bool stopping_ = false;
  bool killed_ = false;
  Clock::time_point kill_at_;
  bool finished_ = false;
  ProcessResult result_;
};

}  // namespace kraken::proc

#endif  // KRAKEN_PROC_CHILD_PROCESS_H_
