// The one outside effect of the Docker client: sending an HTTP request to the engine.
// HttpEngineTransport is the real one; tests substitute a fake that records requests and
// replays canned responses. Implementations say whether they are thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "core/error.h"

namespace kraken::docker {

struct EngineRequest {
  std::string method;  // GET, POST or DELETE
  std::string target;  // path and query, e.g. "/v1.41/containers/json?all=true"
  std::string body;    // JSON; sent with its content type when not empty
  // How long the whole exchange may take; zero means the transport's default. Calls that
  // wait on the engine by design (stopping with a grace period) ask for more.
  std::chrono::milliseconds timeout{0};
};

struct EngineResponse {
  int status = 0;
  std::string body;
};

class EngineTransport {
 public:
  virtual ~EngineTransport() = default;

  // Fails (kUnavailable) only when no HTTP response came back: refused, timed out, reset.
  // Any HTTP status, error statuses included, is a response for the caller to judge.
  virtual Result<EngineResponse> Send(const EngineRequest& request) = 0;
};

}  // namespace kraken::docker
