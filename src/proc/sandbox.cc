#include "proc/sandbox.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

namespace kraken::proc {

namespace fs = std::filesystem;

namespace {

constexpr unsigned long kCoverFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

Error SystemError(const std::string& what) {
  int error = errno;
  return Error{what + ": " + std::strerror(error), error};
}

tl::expected<void, Error> WriteFile(const char* path, const std::string& text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return tl::make_unexpected(SystemError(std::string("cannot open ") + path));
  ssize_t n = write(fd, text.data(), text.size());
  Error error = n == static_cast<ssize_t>(text.size())
                    ? Error{}
                    : SystemError(std::string("cannot write ") + path);
  close(fd);
  if (error.error_number != 0 || n < 0) return tl::make_unexpected(error);
  return {};
}

int ThreadCount() {
  std::error_code ec;
  int n = 0;
  for (auto it = fs::directory_iterator("/proc/self/task", ec);
       !ec && it != fs::directory_iterator(); it.increment(ec))
    ++n;
  return n;
}

// Covers `path` with an empty read-only tmpfs, with `keep` put back in place when it lies
// below `path`.
tl::expected<void, Error> Cover(const fs::path& path, const fs::path& keep) {
  auto relative = keep.lexically_relative(path);
  bool keep_below = !keep.empty() && !relative.empty() && *relative.begin() != "..";
  int tree = -1;
  if (keep_below) {
    tree = static_cast<int>(
        syscall(SYS_open_tree, AT_FDCWD, keep.c_str(), OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE));
    if (tree < 0) return tl::make_unexpected(SystemError("cannot take " + keep.string()));
  }
  auto fail = [&](const std::string& what) {
    Error error = SystemError(what);
    if (tree >= 0) close(tree);
    return tl::make_unexpected(error);
  };
  if (mount("tmpfs", path.c_str(), "tmpfs", kCoverFlags, "size=64k,mode=0755") != 0)
    return fail("cannot cover " + path.string());
  if (keep_below) {
    std::error_code ec;
    fs::create_directories(keep, ec);
    if (ec) {
      errno = ec.value();
      return fail("cannot make " + keep.string() + " again");
    }
    if (syscall(SYS_move_mount, tree, "", AT_FDCWD, keep.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
      return fail("cannot put back " + keep.string());
    close(tree);
  }
  if (mount(nullptr, path.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | kCoverFlags,
            nullptr) != 0)
    return tl::make_unexpected(
        SystemError("cannot make the cover of " + path.string() + " read-only"));
  return {};
}

// In the new namespaces, as their PID 1: the process's own identity, its view of the files,
// and no capability left.
tl::expected<void, Error> SetUp(const SandboxOptions& options, uid_t uid, gid_t gid) {
  if (auto st =
          WriteFile("/proc/self/uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1");
      !st)
    return st;
  // Not on kernels before 3.19, which need no denial to map a group.
  if (access("/proc/self/setgroups", F_OK) == 0)
    if (auto st = WriteFile("/proc/self/setgroups", "deny"); !st) return st;
  if (auto st =
          WriteFile("/proc/self/gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1");
      !st)
    return st;
  // Nothing mounted here reaches the outer namespace.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return tl::make_unexpected(SystemError("cannot make the mounts private"));
  if (mount("proc", "/proc", "proc", kCoverFlags, nullptr) != 0)
    return tl::make_unexpected(SystemError("cannot mount /proc of the sandbox"));
  fs::path keep = options.keep.empty() ? fs::path() : fs::path(options.keep).lexically_normal();
  for (const std::string& hide : options.hide) {
    fs::path path = fs::path(hide).lexically_normal();
    std::error_code ec;
    if (!fs::is_directory(path, ec)) continue;
    if (path == keep) continue;
    if (auto st = Cover(path, keep); !st) return st;
  }
  if (!keep.empty() && chdir(keep.c_str()) != 0)
    return tl::make_unexpected(SystemError("cannot enter " + keep.string()));
  // Nothing the process or a program it runs can gain from here on: no capability at exec
  // even as uid 0 of the namespace, none left in the bounding set, no setuid, none held.
  if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED, 0, 0, 0) != 0)
    return tl::make_unexpected(SystemError("cannot lock out root's capabilities"));
  for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; ++cap)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
      return tl::make_unexpected(SystemError("cannot drop a bounding capability"));
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return tl::make_unexpected(SystemError("cannot forbid new privileges"));
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &header, data) != 0)
    return tl::make_unexpected(SystemError("cannot drop capabilities"));
  return {};
}

volatile sig_atomic_t sandbox_pid = 0;

void Forward(int signal) {
  if (sandbox_pid > 0) kill(sandbox_pid, signal);
}

// The outer process: forwards the stop signals and ends as the sandbox ended.
[[noreturn]] void WaitFor(pid_t child, const sigset_t& old_mask) {
  sandbox_pid = child;
  struct sigaction action {};
  action.sa_handler = Forward;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGTERM, SIGINT, SIGHUP}) sigaction(signal, &action, nullptr);
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  sigset_t stops;
  sigemptyset(&stops);
  for (int signal : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stops, signal);
  sigprocmask(SIG_UNBLOCK, &stops, nullptr);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

}  // namespace

tl::expected<void, Error> EnterSandbox(const SandboxOptions& options) {
  if (int threads = ThreadCount(); threads != 1)
    return tl::make_unexpected(Error{
        "cannot enter a sandbox with " + std::to_string(threads) + " threads running", EINVAL});
  const uid_t uid = geteuid();
  const gid_t gid = getegid();
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return tl::make_unexpected(SystemError("cannot make a pipe"));
  // Stop signals wait, blocked, until the sandbox takes them: as PID 1 it would ignore one
  // with the default action.
  sigset_t stops, old_mask;
  sigemptyset(&stops);
  for (int signal : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stops, signal);
  sigprocmask(SIG_BLOCK, &stops, &old_mask);
  // Like fork(), into new namespaces: the child is PID 1 of the new PID namespace.
  long child = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, nullptr,
                       nullptr, nullptr, nullptr);
  if (child < 0) {
    Error error = SystemError("the kernel refuses a user namespace");
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    close(report[0]);
    close(report[1]);
    return tl::make_unexpected(error);
  }
  if (child == 0) {
    close(report[0]);
    // The sandbox ends with the process outside, even when that one is SIGKILLed.
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    auto set_up = SetUp(options, uid, gid);
    if (!set_up) {
      std::string text = set_up.error().message;
      (void)!write(report[1], text.data(), text.size());
      _exit(127);
    }
    close(report[1]);
    return {};
  }
  close(report[1]);
  std::string failure;
  char buffer[512];
  for (ssize_t n; (n = read(report[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    failure.append(buffer, static_cast<size_t>(n));
  }
  close(report[0]);
  if (!failure.empty()) {
    while (waitpid(static_cast<pid_t>(child), nullptr, 0) < 0 && errno == EINTR) {
    }
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    return tl::make_unexpected(Error{failure, 0});
  }
  WaitFor(static_cast<pid_t>(child), old_mask);
}

}  // namespace kraken::proc
