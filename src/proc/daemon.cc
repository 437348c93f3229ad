#include "proc/daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "proc/exec_plan.h"
#include "proc/proc_fs.h"
#include "proc/process_tree.h"
#include "proc/reaper.h"

namespace kraken::proc {
namespace {

constexpr char kMarkerName[] = "KRAKEN_PROCESS_TREE";
// The processes are not our children, so there is nothing to wait on but
// /proc; this is how often it is checked.
constexpr auto kPollInterval = std::chrono::milliseconds(20);
// How long SIGKILLed processes may take to disappear.
constexpr auto kKillTimeout = std::chrono::seconds(2);

Error SystemError(const std::string& what) {
  int error = errno;
  return Error{what + ": " + strerror(error), error};
}

void CloseAll(std::initializer_list<int> fds) {
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
}

// Reads exactly sizeof(*value) bytes; false at end of file.
bool ReadValue(int fd, pid_t* value) {
  size_t received = 0;
  while (received < sizeof(*value)) {
    ssize_t n = read(fd, reinterpret_cast<char*>(value) + received, sizeof(*value) - received);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    received += static_cast<size_t>(n);
  }
  return true;
}

// Waits until the tree has no running process; false on timeout.
bool WaitUntilGone(ProcessTree* tree, std::chrono::steady_clock::duration timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    ReapAdoptedOrphans();
    if (tree->Scan().empty()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace

tl::expected<pid_t, Error> StartDaemon(const SpawnOptions& options, const std::string& log_path) {
  auto plan = ExecPlan::Make(options, ProcessTree::NewMarker());
  if (!plan) return tl::make_unexpected(plan.error());

  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0)
    return tl::make_unexpected(SystemError("cannot open log file '" + log_path + "'"));
  int dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int report_pipe[2] = {-1, -1};
  int pid_pipe[2] = {-1, -1};
  if (dev_null < 0 || pipe2(report_pipe, O_CLOEXEC) < 0 || pipe2(pid_pipe, O_CLOEXEC) < 0) {
    Error error = SystemError("cannot prepare to start a daemon");
    CloseAll({log_fd, dev_null, report_pipe[0], report_pipe[1], pid_pipe[0], pid_pipe[1]});
    return tl::make_unexpected(error);
  }

  pid_t middle = ForkOwnedChild();
  if (middle == 0) {
    // _Fork() runs no atfork handlers, so it is async-signal-safe here.
    pid_t daemon = _Fork();
    if (daemon == 0) (*plan)->ExecInChild(dev_null, log_fd, report_pipe[1]);
    [[maybe_unused]] ssize_t ignored = write(pid_pipe[1], &daemon, sizeof(daemon));
    _exit(daemon > 0 ? 0 : 1);
  }
  if (middle < 0) {
    Error error = SystemError("cannot fork");
    CloseAll({log_fd, dev_null, report_pipe[0], report_pipe[1], pid_pipe[0], pid_pipe[1]});
    return tl::make_unexpected(error);
  }
  CloseAll({log_fd, dev_null, report_pipe[1], pid_pipe[1]});

  int status = 0;
  while (waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  ForgetChild(middle);
  pid_t daemon = -1;
  bool forked = ReadValue(pid_pipe[0], &daemon) && daemon > 0;
  auto started = forked ? (*plan)->ReadReport(report_pipe[0]) : tl::expected<void, Error>();
  CloseAll({report_pipe[0], pid_pipe[0]});
  if (!forked) return tl::make_unexpected(Error{"cannot fork the daemon process", EAGAIN});
  if (!started) {
    // The failed daemon was re-parented; if to us, collect it.
    ReapAdoptedOrphans();
    return tl::make_unexpected(started.error());
  }
  return daemon;
}

bool IsAlive(pid_t pid) {
  if (pid <= 0) return false;
  std::optional<ProcessInfo> info = ReadProcessInfo(pid);
  return info.has_value() && !info->HasEnded();
}

tl::expected<void, Error> KillGroup(pid_t pid, std::chrono::milliseconds grace) {
  // kill(-1) and kill(0) would signal far more than one group, and a stale
  // pid may have come to name this very process or its group.
  if (pid <= 1 || pid == getpid() || pid == getpgrp()) {
    return tl::make_unexpected(
        Error{"refusing to signal process group " + std::to_string(pid), EINVAL});
  }
  // Descendants of the group carry the leader's marker, if it was started
  // by this module; the scan below finds the others through their parents.
  std::string marker = ReadEnvironEntry(pid, kMarkerName).value_or("");
  ProcessTree tree(pid, marker);

  if (kill(-pid, 0) < 0 && errno == EPERM) {
    return tl::make_unexpected(SystemError("cannot signal process group " + std::to_string(pid)));
  }
  if (tree.Terminate() && !WaitUntilGone(&tree, grace)) tree.KillAll();
  if (!WaitUntilGone(&tree, kKillTimeout)) {
    return tl::make_unexpected(
        Error{"process group " + std::to_string(pid) + " is still running after SIGKILL", EBUSY});
  }
  return {};
}

}  // namespace kraken::proc
