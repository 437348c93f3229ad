#include "proc/reaper.h"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>

#include "proc/proc_fs.h"

namespace kraken::proc {
namespace {

std::atomic<bool> subreaper_enabled{false};

// Held across fork() so that a child always appears in owned_children
// before ReapAdoptedOrphans() can see it.
std::mutex owned_mutex;
std::set<pid_t> owned_children;  // Guarded by owned_mutex.

}  // namespace

tl::expected<void, Error> EnableChildSubreaper() {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    int error = errno;
    return tl::make_unexpected(
        Error{std::string("cannot become a child subreaper: ") + strerror(error), error});
  }
  subreaper_enabled = true;
  return {};
}

bool IsChildSubreaper() { return subreaper_enabled; }

pid_t ForkOwnedChild() {
  owned_mutex.lock();
  pid_t pid = fork();
  // The child must not touch the mutex: it only execs or _exits.
  if (pid != 0) {
    if (pid > 0) owned_children.insert(pid);
    owned_mutex.unlock();
  }
  return pid;
}

pid_t SpawnOwnedChild(int (*child)(void*), void* arg) {
  constexpr size_t kStackSize = 128 * 1024;
  auto stack = std::make_unique<char[]>(kStackSize);  // before the clone: the child cannot
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  owned_mutex.lock();
  pid_t pid = clone(child, stack.get() + kStackSize, CLONE_VM | CLONE_VFORK | SIGCHLD, arg);
  int error = errno;
  if (pid > 0) owned_children.insert(pid);
  owned_mutex.unlock();
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = error;
  return pid;
}

void ForgetChild(pid_t pid) {
  std::lock_guard<std::mutex> lock(owned_mutex);
  owned_children.erase(pid);
}

int ReapAdoptedOrphans() {
  if (!subreaper_enabled) return 0;
  int reaped = 0;
  std::lock_guard<std::mutex> lock(owned_mutex);
  // Our own children lists are a few reads; the whole process table is hundreds.
  if (auto children = ListChildren()) {
    for (pid_t pid : *children) {
      if (owned_children.count(pid) != 0) continue;
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) ++reaped;
    }
    return reaped;
  }
  pid_t self = getpid();
  for (const ProcessInfo& info : ListProcesses()) {
    if (info.parent_pid != self || !info.HasEnded()) continue;
    if (owned_children.count(info.pid) != 0) continue;
    int status = 0;
    if (waitpid(info.pid, &status, WNOHANG) == info.pid) ++reaped;
  }
  return reaped;
}

}  // namespace kraken::proc
