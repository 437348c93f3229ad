// The agent's command line, the same for `kraken agent` (local agents) and the
// self-contained `kraken-agent` that the server hands to new machines (/install/agent).
#pragma once

#include <CLI/CLI.hpp>

#include "agent/agent.h"
#include "http/client_types.h"

namespace kraken::agent {

struct AgentCommand {
  AgentOptions options;
  http::TlsTrust tls;
  // Folders the agent's jobs must not see (proc/sandbox.h); its own data dir stays visible.
  std::vector<std::string> hide;
  // Runs the one job of this file and exits (the agent in a job's container).
  std::string run_job;
};

// Adds the agent's options to `app` (kraken's `agent` subcommand or kraken-agent itself).
void AddAgentOptions(CLI::App& app, AgentCommand& command);

// Runs the agent until SIGINT/SIGTERM, or its one job, ends it: the process exit code (2 for
// a malformed --tls-fingerprint). Call from main before any other thread starts.
int RunAgentCommand(const AgentCommand& command);

}  // namespace kraken::agent
