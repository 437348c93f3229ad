// A process's own view of the machine: paths it must not see, and no other process.
//
// EnterSandbox() moves the calling process into new user, mount and PID namespaces (a user
// namespace needs no privilege, so any user can do it; the user keeps its own uid and gid
// inside). In the new mount namespace each hidden path is covered by an empty read-only
// tmpfs, `keep` (when it lies below a hidden path) is put back in place, and /proc is
// mounted afresh so that it lists only the processes of the sandbox: no
// /proc/<server pid>/root, /cwd or /fd leads back to what is hidden.
//
// The caller's process stays outside as the sandbox's waiter: it forwards SIGTERM, SIGINT
// and SIGHUP to the sandbox and exits with the sandbox's status, so the pid, process group
// and command line that started it keep naming it; when it is killed, the sandbox is too.
// EnterSandbox() returns in the child, which is PID 1 of the new namespace: when it ends, every
// process left in the sandbox is killed by the kernel. Programs it runs get no capability (they are
// not uid 0 in the namespace), and the mounts of the outer namespace are locked against them, so a
// job cannot unmount the cover.
//
// Call it before any thread starts (a user namespace cannot be entered by a threaded
// process). It fails, with nothing changed, where the kernel refuses unprivileged user
// namespaces (kernel.unprivileged_userns_clone=0, some containers).
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "proc/process.h"

namespace kraken::proc {

struct SandboxOptions {
  std::vector<std::string> hide;  // absolute paths; those that do not exist are skipped
  std::string keep;               // absolute; visible even below a hidden path
};

// In the sandbox on success (this process is its PID 1); the original process never returns
// from a successful call.
tl::expected<void, Error> EnterSandbox(const SandboxOptions& options);

}  // namespace kraken::proc
