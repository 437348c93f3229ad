// ExecPlan holds everything a new child needs to become the requested
// command: resolved executable, argv, environment, cwd and user ids.
//
// A child of a multi-threaded program may only make async-signal-safe calls
// (another thread may have held the malloc or NSS locks), and one started with
// SpawnOwnedChild() shares its parent's memory until it execs, so all lookups,
// allocations and string building happen in Make(), before the child exists,
// and ExecInChild() only makes system calls and writes nothing but its stack.
//
// Thread-safety: Make() reads the process environment; it is safe as long
// as no thread calls setenv()/putenv() concurrently. An ExecPlan is
// immutable once made.
#ifndef KRAKEN_PROC_EXEC_PLAN_H_
#define KRAKEN_PROC_EXEC_PLAN_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "proc/process.h"

namespace kraken::proc {

class ExecPlan {
 public:
  // Fails when the executable is not found, the user does not exist or
  // switching user needs root. `marker` ("NAME=value") is added to the
  // environment last, so it cannot be overridden.
  static tl::expected<std::unique_ptr<ExecPlan>, Error> Make(const SpawnOptions& options,
                                                             const std::string& marker);

  ExecPlan(const ExecPlan&) = delete;
  ExecPlan& operator=(const ExecPlan&) = delete;

  // Runs in the child after fork(): starts a new session (so the child
  // leads its own process group), resets signals, wires `stdin_fd` to fd 0
  // and `output_fd` to fds 1 and 2, closes every other descriptor, changes
  // directory and user, then execs. On failure writes a report to
  // `report_fd` (close-on-exec) and exits with 127.
  [[noreturn]] void ExecInChild(int stdin_fd, int output_fd, int report_fd) const;

  // Reads the report ExecInChild() writes on failure. Returns nothing when
  // the exec succeeded (the pipe closed empty), else what went wrong.
  tl::expected<void, Error> ReadReport(int report_fd) const;

  const std::string& executable() const { return executable_; }

 private:
  ExecPlan() = default;

  std::string executable_;
  std::vector<std::string> argv_;
  std::vector<std::string> env_;
  std::vector<char*> argv_pointers_;  // Into argv_, null-terminated.
  std::vector<char*> env_pointers_;   // Into env_, null-terminated.
  std::string cwd_;
  std::string user_;
  bool switch_user_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  std::vector<gid_t> groups_;
  int max_fd_ = 1024;  // Highest descriptor to close without close_range().
};

}  // namespace kraken::proc

#endif  // KRAKEN_PROC_EXEC_PLAN_H_
