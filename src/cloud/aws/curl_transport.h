// The real HttpTransport, over libcurl: HTTPS with peer and host verification, connect and
// total timeouts, no redirects, HTTP(S) only.
//
// Thread-safe: requests are serialised on one curl handle, which keeps the connection to
// the endpoint open between calls. Use one transport per concurrent caller.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "cloud/aws/http_transport.h"

namespace kraken::aws {

struct CurlTransportOptions {
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds total_timeout{std::chrono::seconds(60)};
  std::string ca_file;  // empty: the system's CA bundle
};

class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  const CurlTransportOptions options_;
  std::mutex mutex_;
  void* handle_;  // CURL*, guarded by mutex_
};

}  // namespace kraken::aws
