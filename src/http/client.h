// A small blocking HTTP client over libcurl, for the agent and the command-line client.
// One Client per thread (it keeps one connection alive); not thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "http/client_types.h"

namespace kraken::http {

class Client {
 public:
  Client();
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends a request. A transport failure (refused, reset, timed out) is an Error with
  // code kUnavailable; any HTTP status is a ClientResponse.
  Result<ClientResponse> Request(const std::string& method, const std::string& url,
                                 const std::string& body = {},
                                 const std::vector<std::string>& headers = {},
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // GET that hands each received piece of the body to `on_data` as it arrives (chunked
  // streams). Returns when the server ends the body, on error, or when on_data returns false.
  Result<int> Stream(const std::string& url, const std::vector<std::string>& headers,
                     const std::function<bool(std::string_view)>& on_data,
                     std::chrono::milliseconds timeout = std::chrono::hours(24));

  // The trust of Clients created from now on (from main, before any thread starts).
  static void SetDefaultTlsTrust(TlsTrust trust);
  void set_tls_trust(TlsTrust trust);

  // When `*flag` turns true a transfer in progress (a long-poll, say) ends within about a
  // second as a transport failure, instead of at its timeout. The flag must outlive the
  // client; nullptr turns this off.
  void set_abort_flag(const std::atomic<bool>* flag) { abort_flag_ = flag; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  const std::atomic<bool>* abort_flag_ = nullptr;
};

}  // namespace kraken::http
