// Process is a running command started by a Runner: the job steps an agent
// executes and the helper commands the server runs locally.
//
// Every process starts in its own process group with stdin on /dev/null and
// stdout and stderr on one pipe, so the output callback sees both streams
// interleaved in the order they were written. When a process times out or is
// cancelled, its whole tree is stopped: SIGTERM, then SIGKILL after
// `kill_grace` (see process_tree.h for how the tree is found).
//
// Thread-safety: a Process is driven by one thread, the one that calls
// Wait(); the output callback runs on that thread. Cancel() may be called
// from any thread at any time while the Process object is alive.
#ifndef KRAKEN_PROC_PROCESS_H_
#define KRAKEN_PROC_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kraken::proc {

// Why a process could not be started (or a helper could not do its work),
// phrased for the user who configured the command.
struct Error {
  std::string message;
  int error_number = 0;  // errno behind the failure, 0 when there is none.
};

enum class OutputMode {
  kChunks,  // Bytes as they arrive, in pieces of any size.
  kLines,   // One line per call, '\n' included; see LineSplitter.
};

using OutputCallback = std::function<void(std::string_view bytes)>;

struct SpawnOptions {
  // argv[0] is looked up in PATH (the child's PATH) unless it has a '/'.
  std::vector<std::string> argv;
  // Working directory of the child; empty keeps the caller's.
  std::string cwd;
  // Start from the caller's environment (true) or an empty one (false);
  // `env` is applied on top either way.
  bool inherit_env = true;
  std::map<std::string, std::string> env;
  // Run as this user (uid, primary gid, supplementary groups, HOME, USER,
  // LOGNAME). Needs root unless it names the current user. Empty: as is.
  std::string user;

  // Output of stdout and stderr together. Null discards it. Output is bytes,
  // passed through untouched: it need not be UTF-8.
  OutputCallback on_output;
  OutputMode output_mode = OutputMode::kChunks;

  // Wall-clock limit counted from the start; zero means none.
  std::chrono::milliseconds timeout{0};
  // Time between SIGTERM and SIGKILL when the tree is stopped.
  std::chrono::milliseconds kill_grace{5000};
};

// argv that runs `command` with /bin/sh -c.
std::vector<std::string> ShellArgv(std::string command);
// argv that runs the script file at `path` with bash, failing on the first
// failing command or pipeline stage (-e -o pipefail) and without reading
// the user's profile or rc files, so steps behave the same on every agent.
std::vector<std::string> BashScriptArgv(std::string path);

struct ProcessResult {
  // Exit status when the process exited, -1 when a signal ended it.
  int exit_code = -1;
  // Signal that ended the process, 0 when it exited.
  int signal = 0;
  bool timed_out = false;
  bool cancelled = false;
  std::chrono::milliseconds duration{0};

  bool Succeeded() const { return exit_code == 0 && !timed_out && !cancelled; }
};

// Human-readable summary, e.g. "exit code 2", "killed by SIGKILL after
// timing out".
std::string Describe(const ProcessResult& result);

class Process {
 public:
  virtual ~Process() = default;

  // Pid of the process, which is also its process group id.
  virtual pid_t pid() const = 0;

  // Delivers output until the process and its tree are gone, then returns
  // how it ended. Stops the tree first on timeout or Cancel(). Any process
  // of the tree still running once the main process exits is stopped as
  // well, so a step never leaves work behind. Calling it again returns the
  // same result.
  virtual ProcessResult Wait() = 0;

  // Asks Wait() to stop the tree; takes effect at once, whether Wait() is
  // already running or is called later. No-op once the process has ended.
  virtual void Cancel() = 0;
};

}  // namespace kraken::proc

#endif  // KRAKEN_PROC_PROCESS_H_
