// Where a Docker Engine API listens, parsed from the DOCKER_HOST-style text users write:
// `unix:///run/podman/podman.sock`, `tcp://127.0.0.1:2375` or `http://127.0.0.1:2375`.
// Plain value type.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace kraken::docker {

struct EngineAddress {
  std::string text;         // as given, for messages
  std::string unix_socket;  // the socket path, or empty for TCP
  std::string base_url;     // scheme and authority every request path is appended to
};

// Fails with kInvalid, naming the accepted forms, for anything else (TLS included: the
// engine's TLS client certificates are not supported).
Result<EngineAddress> ParseEngineAddress(std::string_view text);

}  // namespace kraken::docker
