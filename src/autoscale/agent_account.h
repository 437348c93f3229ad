// Who the local agents of a server run as, where their work dirs are, and what they see.
//
// A job runs whatever its stage says, so the agent that runs it must not be able to read the
// server's data dir (database, server.key, the admin token in cli.json) nor another agent's
// work dir (its token, another project's checkout). Two walls, each enough alone:
// - Users: a server running as root starts its local agents as the unprivileged system user
//   `kraken-agent` (created with useradd when missing), in work dirs it owns outside the data
//   dir; the data dir is root's and 0700, so the agents cannot even enter it. A server running
//   as any other user can only start them as itself.
// - A sandbox (proc/sandbox.h, `kraken agent --hide`): every local agent runs in namespaces of
//   its own where the data dir and the agents dir look empty but for its own work dir, and
//   /proc shows only its own processes. This is what keeps agents of one user apart, and the
//   jobs of a non-root server out of its data dir. Where the kernel refuses user namespaces,
//   the agent says so in its log and host_info ("sandbox") and runs without one.
//
// Thread-safe: the account is created and the binary copied under a lock.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "proc/process.h"

namespace kraken::autoscale {

inline constexpr char kAgentUser[] = "kraken-agent";
inline constexpr char kAgentHome[] = "/var/lib/kraken-agent";   // the user's own
inline constexpr char kAgentsDir[] = "/var/lib/kraken-agents";  // the work dirs, as root

struct AgentAccount {
  std::string user;  // the user to run as; "" for the server's own user
  uid_t uid = 0;
  gid_t gid = 0;
};

// As root: kAgentUser, created when missing. Otherwise the server's own user.
Result<AgentAccount> EnsureAgentAccount();

// Where local agents' work dirs go when the server is not told: as root kAgentsDir, otherwise
// "kraken-agents" beside the data dir.
std::string DefaultAgentsDir(const std::string& data_dir);

// Prepares the work dir `dir` of one agent below `agents_dir`: the folders above it (from
// `agents_dir` down) belong to the server's user with mode 0711, so the agents can pass but
// not write them; `dir` itself (kept when it exists) is the account's, mode 0700.
Status MakeAgentWorkDir(const AgentAccount& account, const std::filesystem::path& agents_dir,
                        const std::filesystem::path& dir);

// The program the account runs as its agent: `binary` itself for the server's own user;
// for another user, a copy in `agents_dir` (refreshed when `binary` changes), since the
// server's binary may sit in a folder that user cannot enter (a checkout in /root).
Result<std::string> AgentBinary(const AgentAccount& account, const std::string& binary,
                                const std::filesystem::path& agents_dir);

// Makes `options` start its process as the account: for another user, as that user with
// PATH and the locale as its only environment (nothing of the server's own, which may hold
// credentials); for the server's own user, unchanged.
void RunAs(const AgentAccount& account, proc::SpawnOptions& options);

// The agent options that sandbox a local agent: `data_dir` and `agents_dir` hidden (absolute
// paths are made of them; an empty one is skipped).
std::vector<std::string> SandboxArgv(const std::string& data_dir, const std::string& agents_dir);

}  // namespace kraken::autoscale
