#include "cloud/docker/engine_address.h"

namespace kraken::docker {
namespace {

constexpr std::string_view kForms = "use unix:///path/to/engine.sock or tcp://host:port";

Result<EngineAddress> ParseHostPort(std::string_view text, std::string_view authority) {
  if (!authority.empty() && authority.back() == '/') authority.remove_suffix(1);
  size_t colon = authority.rfind(':');
  bool bracketed_ipv6 = !authority.empty() && authority.back() == ']';
  if (authority.empty() || authority.find('/') != std::string_view::npos || bracketed_ipv6 ||
      colon == std::string_view::npos || colon == 0 || colon + 1 == authority.size()) {
    return Invalid("docker_host", "docker engine address " + std::string(text) +
                                      " needs a host and a port: " + std::string(kForms));
  }
  for (char c : authority.substr(colon + 1)) {
    if (c < '0' || c > '9') {
      return Invalid("docker_host", "bad port in docker engine address " + std::string(text));
    }
  }
  return EngineAddress{std::string(text), "", "http://" + std::string(authority)};
}

}  // namespace

Result<EngineAddress> ParseEngineAddress(std::string_view text) {
  if (text.starts_with("unix://")) {
    std::string_view path = text.substr(7);
    if (!path.starts_with("/")) {
      return Invalid("docker_host", "docker engine socket must be an absolute path: " +
                                        std::string(text) + " (" + std::string(kForms) + ")");
    }
    // The host name is never resolved over a unix socket; it only fills the Host header.
    return EngineAddress{std::string(text), std::string(path), "http://localhost"};
  }
  if (text.starts_with("tcp://")) return ParseHostPort(text, text.substr(6));
  if (text.starts_with("http://")) return ParseHostPort(text, text.substr(7));
  return Invalid("docker_host", "unsupported docker engine address '" + std::string(text) +
                                    "': " + std::string(kForms));
}

}  // namespace kraken::docker
