#include "proc/exec_plan.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "proc/user_db.h"

extern char** environ;

namespace kraken::proc {
namespace {

constexpr char kDefaultPath[] = "/usr/local/bin:/usr/bin:/bin";

// What the child was doing when it failed; sent to the parent with errno.
enum class ChildStep : int { kSession, kRedirect, kChdir, kUser, kExec };

struct ChildReport {
  ChildStep step;
  int error_number;
};

[[noreturn]] void Fail(int report_fd, ChildStep step) {
  ChildReport report{step, errno};
  // Nothing more can be done if the parent is not listening.
  [[maybe_unused]] ssize_t ignored = write(report_fd, &report, sizeof(report));
  _exit(127);
}

// Closes descriptors first..last; without close_range() (Linux < 5.9),
// one by one up to `max_fd`.
void CloseRange(unsigned first, unsigned last, int max_fd) {
  if (first > last) return;
  if (close_range(first, last, 0) == 0) return;
  for (unsigned fd = first; fd <= last && fd < static_cast<unsigned>(max_fd); ++fd) close(fd);
}

std::string ErrorText(int error_number) { return strerror(error_number); }

bool IsExecutableFile(const std::string& path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && access(path.c_str(), X_OK) == 0;
}

tl::expected<std::string, Error> ResolveExecutable(const std::string& name,
                                                   const std::string& search_path) {
  if (name.find('/') != std::string::npos) return name;
  size_t start = 0;
  for (;;) {
    size_t end = search_path.find(':', start);
    std::string dir = search_path.substr(start, end == std::string::npos ? end : end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return tl::make_unexpected(
      Error{"cannot run '" + name + "': command not found in PATH (" + search_path + ")", ENOENT});
}

}  // namespace

tl::expected<std::unique_ptr<ExecPlan>, Error> ExecPlan::Make(const SpawnOptions& options,
                                                              const std::string& marker) {
  if (options.argv.empty() || options.argv[0].empty()) {
    return tl::make_unexpected(Error{"cannot run an empty command", EINVAL});
  }
  std::unique_ptr<ExecPlan> plan(new ExecPlan());

  std::map<std::string, std::string> vars;
  if (options.inherit_env) {
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
      std::string_view text(*entry);
      size_t equals = text.find('=');
      if (equals == std::string_view::npos) continue;
      vars.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
  }

  if (!options.user.empty()) {
    auto user = LookUpUser(options.user);
    if (!user) return tl::make_unexpected(user.error());
    if (user->uid != geteuid()) {
      if (geteuid() != 0) {
        return tl::make_unexpected(
            Error{"cannot run as user '" + options.user + "': that needs root", EPERM});
      }
      plan->switch_user_ = true;
      plan->uid_ = user->uid;
      plan->gid_ = user->gid;
      plan->groups_ = std::move(user->groups);
    }
    plan->user_ = options.user;
    vars["HOME"] = user->home;
    vars["USER"] = options.user;
    vars["LOGNAME"] = options.user;
  }

  for (const auto& [name, value] : options.env) vars[name] = value;
  size_t marker_equals = marker.find('=');
  vars.erase(marker.substr(0, marker_equals));

  auto path_var = vars.find("PATH");
  auto executable =
      ResolveExecutable(options.argv[0], path_var != vars.end() ? path_var->second : kDefaultPath);
  if (!executable) return tl::make_unexpected(executable.error());
  plan->executable_ = std::move(*executable);

  plan->argv_ = options.argv;
  for (const auto& [name, value] : vars) plan->env_.push_back(name + "=" + value);
  plan->env_.push_back(marker);
  plan->cwd_ = options.cwd;
  long open_max = sysconf(_SC_OPEN_MAX);
  plan->max_fd_ = open_max > 0 && open_max < 65536 ? static_cast<int>(open_max) : 65536;

  // Pointers are taken last, once no string moves any more.
  for (std::string& arg : plan->argv_) plan->argv_pointers_.push_back(arg.data());
  plan->argv_pointers_.push_back(nullptr);
  for (std::string& entry : plan->env_) plan->env_pointers_.push_back(entry.data());
  plan->env_pointers_.push_back(nullptr);
  return plan;
}

void ExecPlan::ExecInChild(int stdin_fd, int output_fd, int report_fd) const {
  // Only async-signal-safe calls from here on: no allocation, no locks.

  // Move our descriptors above 2 so the dup2() calls below cannot clobber
  // one of them (the caller may run with fd 0, 1 or 2 closed).
  report_fd = fcntl(report_fd, F_DUPFD_CLOEXEC, 3);
  if (report_fd < 0) _exit(127);
  stdin_fd = fcntl(stdin_fd, F_DUPFD, 3);
  output_fd = fcntl(output_fd, F_DUPFD, 3);
  if (stdin_fd < 0 || output_fd < 0) Fail(report_fd, ChildStep::kRedirect);

  // A new session makes the child the leader of a new process group and
  // detaches it from the caller's terminal.
  if (setsid() < 0) Fail(report_fd, ChildStep::kSession);

  // Ignored signals and the blocked mask survive exec; a server that
  // ignores SIGPIPE must not pass that on to `yes | head`.
  struct sigaction default_action;
  memset(&default_action, 0, sizeof(default_action));
  default_action.sa_handler = SIG_DFL;
  for (int signal = 1; signal < NSIG; ++signal) sigaction(signal, &default_action, nullptr);
  sigset_t empty_mask;
  sigemptyset(&empty_mask);
  sigprocmask(SIG_SETMASK, &empty_mask, nullptr);

  if (dup2(stdin_fd, 0) < 0 || dup2(output_fd, 1) < 0 || dup2(output_fd, 2) < 0) {
    Fail(report_fd, ChildStep::kRedirect);
  }
  // Descriptors other threads opened without O_CLOEXEC must not leak into
  // the job, where they would keep pipes and sockets alive.
  CloseRange(3, report_fd - 1, max_fd_);
  CloseRange(report_fd + 1, ~0U, max_fd_);

  if (!cwd_.empty() && chdir(cwd_.c_str()) < 0) Fail(report_fd, ChildStep::kChdir);

  if (switch_user_) {
    // Raw system calls: the glibc wrappers synchronise all threads, and the
    // child has only this one.
    if (syscall(SYS_setgroups, groups_.size(), groups_.data()) < 0 ||
        syscall(SYS_setresgid, gid_, gid_, gid_) < 0 ||
        syscall(SYS_setresuid, uid_, uid_, uid_) < 0) {
      Fail(report_fd, ChildStep::kUser);
    }
  }

  execve(executable_.c_str(), argv_pointers_.data(), env_pointers_.data());
  Fail(report_fd, ChildStep::kExec);
}

tl::expected<void, Error> ExecPlan::ReadReport(int report_fd) const {
  ChildReport report;
  size_t received = 0;
  while (received < sizeof(report)) {
    ssize_t n =
        read(report_fd, reinterpret_cast<char*>(&report) + received, sizeof(report) - received);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    received += static_cast<size_t>(n);
  }
  if (received == 0) return {};
  if (received < sizeof(report)) {
    return tl::make_unexpected(Error{"cannot start '" + executable_ + "'", EIO});
  }

  std::string reason = ErrorText(report.error_number);
  switch (report.step) {
    case ChildStep::kChdir:
      return tl::make_unexpected(
          Error{"cannot change directory to '" + cwd_ + "': " + reason, report.error_number});
    case ChildStep::kUser:
      return tl::make_unexpected(
          Error{"cannot switch to user '" + user_ + "': " + reason, report.error_number});
    case ChildStep::kExec:
      return tl::make_unexpected(
          Error{"cannot execute '" + executable_ + "': " + reason, report.error_number});
    case ChildStep::kSession:
    case ChildStep::kRedirect:
      break;
  }
  return tl::make_unexpected(
      Error{"cannot set up the process for '" + executable_ + "': " + reason, report.error_number});
}

}  // namespace kraken::proc
