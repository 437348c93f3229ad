// An HttpTransport for tests: records every request and answers from a queue of canned
// responses, or from a handler (an in-process EC2 emulator, say) once the queue is empty.
// Not thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <vector>

#include "cloud/aws/http_transport.h"

namespace kraken::aws {

class FakeHttpTransport : public HttpTransport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

  void Enqueue(Result<HttpResponse> response) { responses_.push_back(std::move(response)); }
  void EnqueueResponse(int status, std::string body);
  void EnqueueError(AwsError error) { responses_.emplace_back(tl::unexpect, std::move(error)); }
  void SetHandler(Handler handler) { handler_ = std::move(handler); }

  // With nothing queued and no handler, fails with NetworkError.
  Result<HttpResponse> Send(const HttpRequest& request) override;

  const std::vector<HttpRequest>& requests() const { return requests_; }

 private:
  std::deque<Result<HttpResponse>> responses_;
  Handler handler_;
  std::vector<HttpRequest> requests_;
};

}  // namespace kraken::aws
