// `kraken flow run PROJECT/BRANCH`: starts a flow and, with --follow, shows each run's and
// job's state as it changes (driven by the server's event stream), then exits 0 only if
// every job succeeded.
#pragma once

#include <map>
#include <string>

#include "cli/client_config.h"

namespace kraken::cli {

struct FlowRunOptions {
  std::string target;  // PROJECT/BRANCH
  bool dev = false;
  std::map<std::string, std::string> args;
  bool follow = false;
};

// Returns the process exit code.
int FlowRun(const ClientConfig& config, const FlowRunOptions& options);

}  // namespace kraken::cli
