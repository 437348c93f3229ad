// Renders the user data an autoscaled EC2 instance boots with: a script that downloads
// the agent from the Kraken server, checks its SHA-256, starts it with a one-time
// registration token, then runs the agents group's own init script: a bash script, for
// Linux images only (the server has no agent for Windows: Ec2Driver refuses those images).
//
// User data is readable by anything on the instance (instance metadata), so the only
// secret in it is the registration token, which the server accepts once. Values are
// quoted for their shell, never interpolated raw. Pure functions, thread-safe.
#pragma once

#include <string>

#include "cloud/aws/aws_error.h"

namespace kraken::aws {

struct AgentBootstrap {
  std::string server_url;          // how the instance reaches the server: "https://ci.example.com"
  std::string agent_sha256;        // hex SHA-256 of the agent binary for this platform
  std::string registration_token;  // one-time token that lets the agent register
  std::string init_script;         // the group's script; may be empty
  // SHA-256 (64 hex digits) of the server's self-signed certificate, which the agent then
  // pins; empty: the agent checks the certificate against the image's CA bundle. The agent
  // download skips the certificate check only in the pinned case, and its checksum guards it.
  std::string server_fingerprint;
};

// Downloads <server>/install/agent (the static kraken-agent) to /usr/local/bin/kraken-agent
// and runs `kraken-agent --server <url> --registration-token <token> --data-dir
// /var/lib/kraken-agent` in the background (nohup, log in /var/log/kraken-agent.log).
Result<std::string> RenderLinuxUserData(const AgentBootstrap& bootstrap);

// Quoting, exposed for tests: a POSIX shell single-quoted word.
std::string ShellQuote(const std::string& value);

}  // namespace kraken::aws
