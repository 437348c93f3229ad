// Which children of this process are reaped by whom.
//
// A process tree can escape its process group (setsid) and lose its parent
// (double fork). The kernel re-parents such orphans to the nearest "child
// subreaper" ancestor, or to init. The agent opts in with
// EnableChildSubreaper() at start-up so that orphans of its job steps come
// back to it: they can then be reaped by the agent itself, which matters in
// a container whose init never reaps, and their pids cannot be recycled
// while the agent still knows them. Finding and killing the tree does not
// depend on it (see process_tree.h).
//
// Once it is a subreaper, the process collects zombies it did not fork
// itself, so all its own children must be forked with ForkOwnedChild(): a
// child forked some other way (popen, std::system) could have its exit
// status taken by ReapAdoptedOrphans().
//
// Thread-safety: all functions are safe to call from any thread.
#ifndef KRAKEN_PROC_REAPER_H_
#define KRAKEN_PROC_REAPER_H_

#include <sys/types.h>

#include <tl/expected.hpp>

#include "proc/process.h"

namespace kraken::proc {

// Makes this process a child subreaper (Linux prctl PR_SET_CHILD_SUBREAPER).
tl::expected<void, Error> EnableChildSubreaper();

// Whether EnableChildSubreaper() succeeded in this process.
bool IsChildSubreaper();

// fork() that records the child as owned by the caller, who must reap it
// and then call ForgetChild(). Returns what fork() returns. In the child,
// only async-signal-safe calls may follow.
pid_t ForkOwnedChild();

// Like ForkOwnedChild(), but the child runs `child(arg)` on its own stack while sharing
// this process's memory, and the caller is suspended until the child execs or exits
// (clone with CLONE_VM | CLONE_VFORK, as posix_spawn does). This spares copying the
// page tables of a large process, which costs more than the exec itself. All signals
// are blocked while the child shares our memory: `child` must reset the handlers
// before unblocking them, and may only make system calls (no allocation, no locks).
pid_t SpawnOwnedChild(int (*child)(void*), void* arg);
void ForgetChild(pid_t pid);

// Reaps every zombie child that is not an owned child: orphans adopted as a
// subreaper. Returns how many were reaped. Cheap no-op if not a subreaper.
int ReapAdoptedOrphans();

}  // namespace kraken::proc

#endif  // KRAKEN_PROC_REAPER_H_
