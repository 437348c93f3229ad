// EngineTransport over libcurl, to a unix socket or plain-HTTP TCP address.
//
// Thread-safe: every request uses a libcurl handle of its own and the object is immutable
// after construction. Connections are not reused; over the local socket an engine usually
// listens on, connecting costs microseconds.
#pragma once

#include <chrono>
#include <cstddef>

#include "cloud/docker/engine_address.h"
#include "cloud/docker/engine_transport.h"

namespace kraken::docker {

struct CurlEngineOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{60'000};  // when a request names none
  // A larger answer (a runaway log) fails the request instead of exhausting memory.
  size_t max_response_bytes = 64 << 20;
};

class CurlEngineTransport : public EngineTransport {
 public:
  explicit CurlEngineTransport(EngineAddress address, CurlEngineOptions options = {});

  Result<EngineResponse> Send(const EngineRequest& request) override;

 private:
  const EngineAddress address_;
  const CurlEngineOptions options_;
};

}  // namespace kraken::docker
