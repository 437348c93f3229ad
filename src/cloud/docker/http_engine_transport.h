// EngineTransport over Boost.Beast, to a unix socket or a plain-HTTP TCP address. No libcurl,
// so the static kraken-agent can speak to the engine of the machine it runs on.
//
// The exchange (connect aside) is bounded by the request's timeout. Thread-safe:
// every request makes its own connection; the object is immutable after construction. Over
// the local socket an engine usually listens on, connecting costs microseconds.
#pragma once

#include <chrono>
#include <cstddef>

#include "cloud/docker/engine_address.h"
#include "cloud/docker/engine_transport.h"

namespace kraken::docker {

struct EngineOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{60'000};  // when a request names none
  // A larger answer (a runaway log) fails the request instead of exhausting memory.
  size_t max_response_bytes = 64 << 20;
};

class HttpEngineTransport : public EngineTransport {
 public:
  explicit HttpEngineTransport(EngineAddress address, EngineOptions options = {});

  Result<EngineResponse> Send(const EngineRequest& request) override;

 private:
  const EngineAddress address_;
  const EngineOptions options_;
};

}  // namespace kraken::docker
