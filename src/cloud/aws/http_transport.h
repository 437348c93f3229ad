// The one outside effect of the AWS client: sending an HTTP request and getting the
// response. CurlTransport is the real one, FakeHttpTransport the one tests use.
#pragma once

#include <string>
#include <vector>

#include "cloud/aws/aws_error.h"
#include "cloud/aws/sigv4.h"

namespace kraken::aws {

struct HttpRequest {
  std::string method;
  std::string url;  // absolute: scheme://host[:port]/path[?query]
  std::vector<HttpHeader> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;
};

// Implementations say whether they are thread-safe.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // Any HTTP status is a response, not an error: the error is for when no response came
  // (code "NetworkError", kTransient) or the TLS peer could not be trusted
  // ("TlsVerificationFailed", kPermanent).
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace kraken::aws
