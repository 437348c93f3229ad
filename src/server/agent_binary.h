// The self-contained kraken-agent that the server hands to new machines at /install/agent
// (docs/install.md), and its SHA-256 that EC2 user-data checks the download against.
#pragma once

#include <string>

namespace kraken::server {

struct AgentBinary {
  std::string path;    // empty: none found
  std::string sha256;  // hex, of the file as it was at start
};

// `configured` (--agent-binary) when given; else `kraken-agent` beside the running binary;
// else the one the build made next to it (KRAKEN_BUILD_AGENT). `path` is empty when none of
// these is a readable file.
AgentBinary FindAgentBinary(const std::string& configured);

}  // namespace kraken::server
