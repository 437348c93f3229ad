// Where the command-line client finds its server and token: flags, then the environment
// (KRAKEN_SERVER, KRAKEN_TOKEN), then the `cli.json` that `kraken up` writes in its data dir.
#pragma once

#include <string>

#include "core/error.h"
#include "core/json.h"
#include "http/client.h"

namespace kraken::cli {

struct ClientConfig {
  std::string server;
  std::string token;
  http::TlsTrust tls;  // saved as `ca_file` and `tls_fingerprint`
};

// The TLS trust comes from `tls_flags`, else from cli.json when the server is the one saved
// there, else it is the system's CA bundle.
Result<ClientConfig> ResolveClientConfig(const std::string& server_flag,
                                         const std::string& token_flag, const std::string& data_dir,
                                         const http::TlsTrust& tls_flags = {});
Status WriteClientConfig(const std::string& data_dir, const ClientConfig& config);

// A JSON API call with the token; a non-2xx answer becomes an Error with the server's message.
Result<Json> Api(http::Client& client, const ClientConfig& config, const std::string& method,
                 const std::string& path, const Json& body = nullptr);

}  // namespace kraken::cli
