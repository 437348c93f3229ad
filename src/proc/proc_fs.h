// Read-only views of Linux /proc used to find and identify processes.
//
// /proc changes under our feet: any process may vanish between two calls, so
// every function treats a missing or unreadable entry as "no such process".
// Thread-safety: all functions are safe to call from any thread.
#ifndef KRAKEN_PROC_PROC_FS_H_
#define KRAKEN_PROC_PROC_FS_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kraken::proc {

// The fields of /proc/<pid>/stat the process tree code needs.
struct ProcessInfo {
  pid_t pid = 0;
  pid_t parent_pid = 0;
  pid_t group_id = 0;
  pid_t session_id = 0;
  char state = '?';  // 'R', 'S', 'Z' (zombie), ...
  // Clock ticks after boot; with the pid it names one process for good, as
  // pids are recycled.
  std::uint64_t start_time = 0;

  // A zombie or a dying task has ended; it only waits to be reaped.
  bool HasEnded() const { return state == 'Z' || state == 'X' || state == 'x'; }
};

// Parses one /proc/<pid>/stat text; nullopt if malformed.
std::optional<ProcessInfo> ParseStat(std::string_view stat);

std::optional<ProcessInfo> ReadProcessInfo(pid_t pid);

// Every process (thread group) on the system, in no particular order.
std::vector<ProcessInfo> ListProcesses();

// The descendants of this process (its children, theirs, ...), in no particular order,
// from the kernel's /proc/<pid>/task/<tid>/children lists; nullopt where the kernel
// does not offer them. For a child subreaper every orphan of a descendant is a
// descendant too, so this is a complete and much cheaper candidate list than
// ListProcesses(): it reads a few entries instead of every process on the system.
std::optional<std::vector<ProcessInfo>> ListDescendants();

// The direct children of this process (of all its threads), from
// /proc/self/task/*/children; nullopt where the kernel does not provide those lists.
std::optional<std::vector<pid_t>> ListChildren();

// Whether `entry` ("NAME=value") is one of the environment entries the
// process was started with. False if the environment cannot be read.
bool EnvironContains(pid_t pid, std::string_view entry);

// The "NAME=value" entry for `name` in the environment the process was
// started with; nullopt if absent or unreadable.
std::optional<std::string> ReadEnvironEntry(pid_t pid, std::string_view name);

// The process's argv; empty for zombies, kernel threads and vanished pids.
std::vector<std::string> ReadCommandLine(pid_t pid);

}  // namespace kraken::proc

#endif  // KRAKEN_PROC_PROC_FS_H_
