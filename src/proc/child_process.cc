#include "proc/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "proc/exec_plan.h"
#include "proc/reaper.h"

namespace kraken::proc {
namespace {

constexpr size_t kReadBytes = 64 * 1024;
// Reads per wake-up, so a flood of output cannot delay a timeout or cancel.
constexpr int kMaxReadsPerWakeup = 16;
// How often the tree is rescanned while it is being stopped, and how often
// the child is polled on kernels without pidfd (Linux < 5.3).
constexpr auto kTick = std::chrono::milliseconds(50);

class ScopedFd {
 public:
  explicit ScopedFd(int fd = -1) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

Error SystemError(const std::string& what) {
  int error = errno;
  return Error{what + ": " + strerror(error), error};
}

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

}  // namespace

tl::expected<std::unique_ptr<ChildProcess>, Error> ChildProcess::Start(
    const SpawnOptions& options) {
  std::string marker = ProcessTree::NewMarker();
  auto plan = ExecPlan::Make(options, marker);
  if (!plan) return tl::make_unexpected(plan.error());

  int output_pipe[2];
  if (pipe2(output_pipe, O_CLOEXEC) < 0) {
    return tl::make_unexpected(SystemError("cannot create the output pipe"));
  }
  ScopedFd output_read(output_pipe[0]), output_write(output_pipe[1]);
  int report_pipe[2];
  if (pipe2(report_pipe, O_CLOEXEC) < 0) {
    return tl::make_unexpected(SystemError("cannot create a pipe"));
  }
  ScopedFd report_read(report_pipe[0]), report_write(report_pipe[1]);
  ScopedFd dev_null(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (dev_null.get() < 0) return tl::make_unexpected(SystemError("cannot open /dev/null"));
  ScopedFd wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (wake.get() < 0) return tl::make_unexpected(SystemError("cannot create an eventfd"));

  struct ChildArgs {
    const ExecPlan* plan;
    int stdin_fd, output_fd, report_fd;
  } args{plan->get(), dev_null.get(), output_write.get(), report_write.get()};
  pid_t pid = SpawnOwnedChild(
      [](void* p) -> int {
        auto* a = static_cast<ChildArgs*>(p);
        a->plan->ExecInChild(a->stdin_fd, a->output_fd, a->report_fd);
      },
      &args);
  if (pid < 0) return tl::make_unexpected(SystemError("cannot start the process"));
  output_write.reset();
  report_write.reset();
  dev_null.reset();

  // Blocks until the child has exec'd (the close-on-exec pipe closes) or
  // reported why it could not.
  auto started = (*plan)->ReadReport(report_read.get());
  if (!started) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ForgetChild(pid);
    return tl::make_unexpected(started.error());
  }

  if (fcntl(output_read.get(), F_SETFL, O_NONBLOCK) < 0) {
    // Unreachable in practice; without it reads could block Wait().
    Error error = SystemError("cannot configure the output pipe");
    kill(-pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ForgetChild(pid);
    return tl::make_unexpected(error);
  }
  // No race with pid reuse: the child stays ours until we reap it.
  int pid_fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  return std::unique_ptr<ChildProcess>(new ChildProcess(
      options, pid, std::move(marker), output_read.release(), pid_fd, wake.release()));
}

ChildProcess::ChildProcess(const SpawnOptions& options, pid_t pid, std::string marker,
                           int output_fd, int pid_fd, int wake_fd)
    : on_output_(options.on_output),
      timeout_(options.timeout),
      kill_grace_(options.kill_grace),
      start_(Clock::now()),
      pid_(pid),
      tree_(pid, std::move(marker)),
      output_fd_(output_fd),
      pid_fd_(pid_fd),
      wake_fd_(wake_fd) {
  if (on_output_ && options.output_mode == OutputMode::kLines) line_splitter_.emplace(on_output_);
}

ChildProcess::~ChildProcess() {
  if (!finished_) {
    tree_.KillAll();
    killed_ = true;
    Finish();
  }
  CloseFd(&output_fd_);
  CloseFd(&pid_fd_);
  close(wake_fd_);
}

void ChildProcess::Cancel() {
  cancel_requested_ = true;
  uint64_t one = 1;
  // Fails only if the counter would overflow: then a wake-up is pending.
  [[maybe_unused]] ssize_t ignored = write(wake_fd_, &one, sizeof(one));
}

ProcessResult ChildProcess::Wait() {
  if (finished_) return result_;
  const Clock::time_point deadline =
      timeout_.count() > 0 ? start_ + timeout_ : Clock::time_point::max();
  Clock::time_point next_scan_at;

  for (;;) {
    Clock::time_point now = Clock::now();
    if (!stopping_ && cancel_requested_) {
      result_.cancelled = true;
      StartStopping(now);
    } else if (!stopping_ && now >= deadline) {
      result_.timed_out = true;
      StartStopping(now);
    }
    if (stopping_ && !killed_ && now >= kill_at_) {
      tree_.KillAll();
      killed_ = true;
    }
    if (reaped_) {
      if (killed_) break;
      // The main process is gone; any process of its tree still running
      // is left over and gets stopped the same way.
      if (!stopping_ || now >= next_scan_at) {
        if (tree_.Scan().empty()) break;
        next_scan_at = now + kTick;
        if (!stopping_) StartStopping(now);
      }
    }

    Clock::time_point wake_at = stopping_ ? kill_at_ : deadline;
    if (reaped_ || pid_fd_ < 0) wake_at = std::min(wake_at, now + kTick);
    int timeout_ms = -1;
    if (wake_at != Clock::time_point::max()) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(wake_at - now).count();
      timeout_ms = static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
    }

    struct pollfd fds[3];
    nfds_t count = 0;
    fds[count++] = {wake_fd_, POLLIN, 0};
    int output_index = -1, pid_index = -1;
    if (output_fd_ >= 0) {
      output_index = static_cast<int>(count);
      fds[count++] = {output_fd_, POLLIN, 0};
    }
    if (pid_fd_ >= 0 && !reaped_) {
      pid_index = static_cast<int>(count);
      fds[count++] = {pid_fd_, POLLIN, 0};
    }
    if (poll(fds, count, timeout_ms) < 0) {
      if (errno == EINTR) continue;
      // Cannot wait any more (should not happen): make sure nothing is left.
      tree_.KillAll();
      killed_ = true;
      break;
    }
    if (fds[0].revents != 0) {
      uint64_t counter;
      [[maybe_unused]] ssize_t ignored = read(wake_fd_, &counter, sizeof(counter));
    }
    if (output_index >= 0 && fds[output_index].revents != 0) ReadOutput();
    if (pid_index < 0 || fds[pid_index].revents != 0) TryReap();
  }

  // What the tree wrote before it ended is still in the pipe. A writer
  // outside the tree could write forever, so read what is there, no more.
  if (output_fd_ >= 0) ReadOutput();
  if (line_splitter_) line_splitter_->Finish();
  Finish();
  return result_;
}

void ChildProcess::ReadOutput() {
  char buffer[kReadBytes];
  for (int reads = 0; reads < kMaxReadsPerWakeup && output_fd_ >= 0; ++reads) {
    ssize_t n = read(output_fd_, buffer, sizeof(buffer));
    if (n > 0) {
      Deliver(std::string_view(buffer, static_cast<size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    CloseFd(&output_fd_);  // End of file, or an error that will not heal.
  }
}

void ChildProcess::Deliver(std::string_view bytes) {
  if (line_splitter_) {
    line_splitter_->Feed(bytes);
  } else if (on_output_) {
    on_output_(bytes);
  }
}

void ChildProcess::TryReap() {
  if (reaped_) return;
  int status = 0;
  pid_t pid = waitpid(pid_, &status, WNOHANG);
  if (pid == pid_) {
    reaped_ = true;
    wait_status_ = status;
  } else if (pid < 0 && errno == ECHILD) {
    // Reaped behind our back (SIGCHLD ignored or waitpid(-1) elsewhere).
    reaped_ = true;
    wait_status_ = -1;
  }
}

void ChildProcess::StartStopping(Clock::time_point now) {
  stopping_ = true;
  kill_at_ = now + kill_grace_;
  if (kill_grace_.count() <= 0) {
    tree_.KillAll();
    killed_ = true;
  } else {
    tree_.Terminate();
  }
}

void ChildProcess::Finish() {
  while (!reaped_) {
    int status = 0;
    pid_t pid = waitpid(pid_, &status, 0);
    if (pid < 0 && errno == EINTR) continue;
    reaped_ = true;
    wait_status_ = pid == pid_ ? status : -1;
  }
  ForgetChild(pid_);
  ReapAdoptedOrphans();
  finished_ = true;

  if (wait_status_ != -1 && WIFEXITED(wait_status_)) {
    result_.exit_code = WEXITSTATUS(wait_status_);
  } else if (wait_status_ != -1 && WIFSIGNALED(wait_status_)) {
    result_.signal = WTERMSIG(wait_status_);
  }
  result_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_);
}

}  // namespace kraken::proc
