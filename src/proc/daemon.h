// Long-running processes that outlive the code that started them: the
// local `kraken agent` processes the server starts, finds again after a
// restart (by pid, kept in its database) and stops.
//
// A daemon runs in a session and process group of its own, with stdin on
// /dev/null and stdout and stderr appended to a log file. It is started by
// a double fork, so it is not the caller's child: nothing has to reap it,
// and a restarted server can stop it like any other process. (In a child
// subreaper, see reaper.h, the daemon is adopted back; its zombie is then
// collected by ReapAdoptedOrphans().)
//
// Pids are recycled: before acting on a pid kept across a restart, check
// that it still names the expected program (ReadCommandLine in proc_fs.h).
//
// Thread-safety: all functions are safe to call from any thread.
#ifndef KRAKEN_PROC_DAEMON_H_
#define KRAKEN_PROC_DAEMON_H_

#include <sys/types.h>

#include <chrono>
#include <string>
#include <tl/expected.hpp>

#include "proc/process.h"

namespace kraken::proc {

// Starts options.argv with its cwd, env and user (the output, timeout and
// grace fields do not apply) and returns its pid, which is also the id of
// its process group. Fails like Runner::Spawn(), or if `log_path` cannot
// be opened for appending.
tl::expected<pid_t, Error> StartDaemon(const SpawnOptions& options, const std::string& log_path);

// Whether the process exists and has not ended (a zombie has ended).
bool IsAlive(pid_t pid);

// Stops the process group led by `pid` and every descendant of its
// processes: SIGTERM, then SIGKILL to whatever is left after `grace`.
// Returns once none runs; an error if that cannot be achieved (no
// permission, or a process stuck in the kernel ignores SIGKILL). A group
// that is already gone is not an error.
tl::expected<void, Error> KillGroup(pid_t pid, std::chrono::milliseconds grace);

}  // namespace kraken::proc

#endif  // KRAKEN_PROC_DAEMON_H_
