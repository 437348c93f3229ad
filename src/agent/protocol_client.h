// The agent's side of the agent protocol (docs/agent-protocol.md): one call per message,
// retried with backoff on transport errors, since the server may be restarting. A call that
// the server refuses (4xx) is not retried.
//
// One ProtocolClient per thread (it owns an HTTP connection).
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "core/error.h"
#include "core/json.h"
#include "http/beast_client.h"

namespace kraken::agent {

class ProtocolClient {
 public:
  ProtocolClient(std::string server_url, const std::atomic<bool>& stopping)
      : server_(std::move(server_url)), stopping_(stopping) {}

  void set_token(std::string token) { token_ = std::move(token); }
  // For the clients of long-polls: a stop ends a request in flight at once. Not for the
  // others, whose last requests (logs, results, a step's end) should still reach the server.
  void AbortOnStop() { client_.set_abort_flag(&stopping_); }

  // POST path with a JSON body. Retries transport failures and 5xx until `give_up_after`
  // (zero: forever, until stopping). A 4xx answer is an Error carrying the server's message
  // (code kConflict for 409, kUnauthorized for 401, ...); so is a server whose TLS
  // certificate the client refuses (kForbidden).
  Result<Json> Post(const std::string& path, const Json& body,
                    std::chrono::milliseconds request_timeout = std::chrono::seconds(30),
                    std::chrono::milliseconds give_up_after = std::chrono::milliseconds(0));

 private:
  std::string server_;
  std::string token_;
  const std::atomic<bool>& stopping_;
  http::BeastClient client_;
};

}  // namespace kraken::agent
