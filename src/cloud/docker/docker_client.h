// A client of the Docker Engine API v1.41, as served by Docker and by Podman's
// Docker-compatible service: the container lifecycle calls the Docker cloud driver needs.
//
// Thread-safe: a client holds no mutable state of its own, and HttpEngineTransport (what
// Connect builds) gives every request its own connection, so one client may serve a pool of
// worker threads. Every call blocks until the engine answers or the transport times out.
//
// Errors follow docker_error.h: kUnavailable (engine unreachable, timed out, or failing
// with a 5xx) is the only transient kind; the rest will fail again the same way.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/docker/container_types.h"
#include "cloud/docker/docker_error.h"
#include "cloud/docker/engine_transport.h"
#include "cloud/docker/http_engine_transport.h"
#include "cloud/docker/log_stream.h"
#include "core/error.h"

namespace kraken::docker {

inline constexpr std::string_view kApiVersion = "v1.41";

class DockerClient {
 public:
  explicit DockerClient(std::unique_ptr<EngineTransport> transport);

  // A client of the engine at `address` (see engine_address.h); kInvalid if it cannot be
  // parsed. Nothing is sent until the first call.
  static Result<DockerClient> Connect(std::string_view address, EngineOptions options = {});

  // Succeeds when the engine answers GET /_ping.
  Status Ping();
  Result<EngineVersion> Version();

  // Creates (does not start) a container; returns its id. A missing image is kNotFound
  // "image not found: NAME": images are never pulled here. A taken name is kConflict.
  Result<std::string> CreateContainer(const ContainerSpec& spec);
  // Starting a running container succeeds and does nothing.
  Status StartContainer(std::string_view id);
  Result<ContainerInfo> InspectContainer(std::string_view id);
  // Every container, running or not, carrying all the given labels; each filter is
  // "key" (any value) or "key=value".
  Result<std::vector<ContainerSummary>> ListContainers(
      const std::vector<std::string>& label_filters);
  // Waits until the container has stopped, at most `timeout`, and returns its exit code.
  // kUnavailable when the time ran out first: the container runs on; ask again.
  Result<int> WaitContainer(std::string_view id, std::chrono::milliseconds timeout);
  // Sends SIGTERM, then SIGKILL after `grace`; stopping a stopped container succeeds.
  Status StopContainer(std::string_view id, std::chrono::seconds grace);
  // Removes the container and its anonymous volumes; `force` kills it first if running.
  // An unknown id is kNotFound.
  Status RemoveContainer(std::string_view id, bool force);
  // The container's output so far, for diagnostics: `tail_lines` last lines of each
  // stream, or all of it when 0. Not a stream: the answer is read whole.
  Result<ContainerOutput> ContainerLogs(std::string_view id, int tail_lines = 0);
  Result<bool> ImageExists(std::string_view image);

 private:
  Result<EngineResponse> Send(std::string method, std::string path, std::string body = {},
                              std::chrono::milliseconds timeout = {});

  std::unique_ptr<EngineTransport> transport_;
};

}  // namespace kraken::docker
