// A small blocking HTTP/1.1 client over Boost.Beast and OpenSSL, with the interface of
// http::Client (client.h) but no libcurl: the agent's, so that kraken-agent links
// statically and runs on any Linux machine. Keeps one connection alive across requests to
// the same server. Trust over HTTPS as in TlsTrust; the system's CA bundle is the first of
// the usual files that exists (SystemCaBundle).
//
// One BeastClient per thread; not thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "http/client_types.h"

namespace kraken::http {

class BeastClient {
 public:
  BeastClient();
  ~BeastClient();
  BeastClient(const BeastClient&) = delete;
  BeastClient& operator=(const BeastClient&) = delete;

  // Sends a request ("Name: value" headers). A transport failure (refused, reset, timed
  // out, aborted) is an Error with code kUnavailable; any HTTP status is a ClientResponse.
  Result<ClientResponse> Request(const std::string& method, const std::string& url,
                                 const std::string& body = {},
                                 const std::vector<std::string>& headers = {},
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // GET that hands each received piece of the body to `on_data` as it arrives. Returns the
  // status when the server ends the body or on_data returns false.
  Result<int> Stream(const std::string& url, const std::vector<std::string>& headers,
                     const std::function<bool(std::string_view)>& on_data,
                     std::chrono::milliseconds timeout = std::chrono::hours(24));

  // The trust of BeastClients created from now on (from main, before any thread starts).
  static void SetDefaultTlsTrust(TlsTrust trust);
  void set_tls_trust(TlsTrust trust);

  // When `*flag` turns true a request in progress ends within a fraction of a second as a
  // transport failure. The flag must outlive the client; nullptr turns this off.
  void set_abort_flag(const std::atomic<bool>* flag);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The first CA bundle of the usual places (Debian/Ubuntu/Alpine, RHEL/Amazon Linux, SUSE,
// ...) that exists on this machine, or "" when there is none.
std::string SystemCaBundle();

}  // namespace kraken::http
