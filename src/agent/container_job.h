// Jobs of executor docker on an agent installed by hand. Such an agent, on a machine with
// Docker or Podman, runs the job in a container of the job's image (its `system`), made
// through the machine's engine (Docker Engine API) the way the docker driver makes its
// machines: the static kraken-agent is bind-mounted read-only at
// /usr/local/bin/kraken-agent and runs the job (`kraken-agent --run-job /kraken/job.json`)
// with this agent's identity, on the host's network, so it reaches the server at the same
// URL. Nothing of Kraken is in the image; images are never pulled.
//
// Thread-compatible: one job at a time, on the agent's thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "protocol/agent_messages.h"

namespace kraken::agent {

// The container engine of this machine: DOCKER_HOST when set, else the first of
// /var/run/docker.sock and /run/podman/podman.sock this user may write; "" when none.
std::string LocalEngineAddress();
// Whether that engine answers a ping (what the agent reports as host_info "docker").
bool LocalEngineUsable();

struct ContainerJob {
  std::string engine;        // LocalEngineAddress()
  std::string agent_binary;  // the static kraken-agent on this host
  std::string server_url;
  std::string token;
  int64_t agent_id = 0;
  std::string job_dir;  // a folder of this agent's, mounted in the container at /kraken
  std::string tls_fingerprint;
  std::string ca_file;
};

// Where the job file lies in the container, and where the agent there notes the index of
// the step it is on (so that a container that dies is reported on the right step).
inline constexpr char kJobFileInContainer[] = "/kraken/job.json";
// The agent's token, in the environment of the agent in the container (which drops it).
inline constexpr char kTokenVariable[] = "KRAKEN_AGENT_TOKEN";
inline constexpr char kProgressFileInContainer[] = "/kraken/step";

// Runs the job in its container and removes the container. "" when the agent in it ran the
// job to its end (whatever the steps' outcomes); otherwise why not, for the user. `stopping`
// stops the container early.
std::string RunJobInContainer(const ContainerJob& setup, const protocol::JobDispatch& dispatch,
                              const std::atomic<bool>& stopping);

// The step the agent in the container was on, from the job dir ("" read as -1).
int64_t StepInProgress(const std::string& job_dir);

// The static kraken-agent to inject: `self` when this program is it, else the one the
// server serves at /install/agent, downloaded into `data_dir` (once per call site's need).
Result<std::string> StaticAgentBinary(bool self_is_static, const std::string& server_url,
                                      const std::string& data_dir);

}  // namespace kraken::agent
