// The `docker` driver: a machine is a container made through the Docker Engine API
// (v1.41; Docker or Podman's compatible service) from the job's system image, or the
// group's default image for jobs of system `any`, as it is: the self-contained, static
// `kraken-agent` (the one the server serves at /install/agent) is bind-mounted read-only at
// /usr/local/bin/kraken-agent and runs as the container's command:
// `kraken-agent --server URL --registration-token T [--one-job]`, so any Linux image runs
// it, with no shell or libc needed for the agent itself. Nothing is pulled: the image must
// exist on the engine. Containers carry the kraken-server, kraken-group and kraken-machine
// labels, so List finds them by label.
//
// Thread-safe: the Docker client is (see docker_client.h).
#pragma once

#include <string>

#include "cloud/docker/docker_client.h"
#include "cloud/driver.h"

namespace kraken::autoscale {

inline constexpr const char* kAgentPathInContainer = "/usr/local/bin/kraken-agent";

class DockerDriver : public cloud::Driver {
 public:
  // `agent_binary`: the static kraken-agent; empty: none, and Create says so.
  DockerDriver(docker::DockerClient client, std::string agent_binary)
      : client_(std::move(client)), binary_(std::move(agent_binary)) {}

  std::string method() const override { return "docker"; }
  cloud::DriverResult<std::string> Create(const cloud::MachineSpec& spec) override;
  cloud::DriverResult<void> Destroy(const std::string& driver_id) override;
  cloud::DriverResult<std::vector<cloud::DriverMachine>> List(const std::string& server_id,
                                                              Id group_id) override;

  // The container a machine would be made of (exposed for tests).
  docker::ContainerSpec ContainerFor(const cloud::MachineSpec& spec) const;

 private:
  docker::DockerClient client_;
  std::string binary_;
};

// How an engine error should be treated by the autoscaler.
cloud::DriverError ClassifyDockerError(const Error& e);

}  // namespace kraken::autoscale
