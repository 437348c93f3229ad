#include "cloud/aws/fake_http_transport.h"

namespace kraken::aws {

void FakeHttpTransport::EnqueueResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers.push_back({"Content-Type", "text/xml;charset=UTF-8"});
  response.body = std::move(body);
  responses_.push_back(std::move(response));
}

Result<HttpResponse> FakeHttpTransport::Send(const HttpRequest& request) {
  requests_.push_back(request);
  if (!responses_.empty()) {
    Result<HttpResponse> response = std::move(responses_.front());
    responses_.pop_front();
    return response;
  }
  if (handler_) return handler_(request);
  return Fail(MakeAwsError("NetworkError", "no response queued for " + request.url, 0));
}

}  // namespace kraken::aws
