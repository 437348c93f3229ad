#include "proc/reaper.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
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

void ForgetChild(pid_t pid) {
  std::lock_guard<std::mutex> lock(owned_mutex);
  owned_children.erase(pid);
}

int ReapAdoptedOrphans() {
  if (!subreaper_enabled) return 0;
  pid_t self = getpid();
  int reaped = 0;
  std::lock_guard<std::mutex> lock(owned_mutex);
  for (const ProcessInfo& info : ListProcesses()) {
    if (info.parent_pid != self || !info.HasEnded()) continue;
    if (owned_children.count(info.pid) != 0) continue;
    int status = 0;
    if (waitpid(info.pid, &status, WNOHANG) == info.pid) ++reaped;
  }
  return reaped;
}

}  // namespace kraken::proc
