#include "agent/protocol_client.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "protocol/agent_messages.h"

namespace kraken::agent {
namespace {

ErrorCode CodeOf(int status) {
  switch (status) {
    case 400:
      return ErrorCode::kInvalid;
    case 401:
      return ErrorCode::kUnauthorized;
    case 403:
      return ErrorCode::kForbidden;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return ErrorCode::kConflict;
    default:
      return ErrorCode::kInternal;
  }
}

}  // namespace

Result<Json> ProtocolClient::Post(const std::string& path, const Json& body,
                                  std::chrono::milliseconds request_timeout,
                                  std::chrono::milliseconds give_up_after) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  std::chrono::milliseconds backoff(50);
  std::vector<std::string> headers = {"Content-Type: application/json"};
  if (!token_.empty()) headers.push_back("Authorization: Bearer " + token_);
  const std::string payload = body.dump();
  for (int attempt = 0;; ++attempt) {
    auto res = client_.Request("POST", server_ + path, payload, headers, request_timeout);
    if (res && res->status < 500) {
      if (res->status >= 300) return Fail(CodeOf(res->status), protocol::RefusalMessage(res->body));
      Json j = Json::parse(res->body, nullptr, false);
      if (j.is_discarded()) return Fail(ErrorCode::kInternal, "server sent invalid JSON");
      return j;
    }
    // A server whose certificate is refused stays refused: no retry.
    if (!res && res.error().code == ErrorCode::kForbidden) return tl::unexpected(res.error());
    std::string why = res ? "HTTP " + std::to_string(res->status) : res.error().message;
    if (stopping_) return Fail(ErrorCode::kUnavailable, "agent is stopping: " + why);
    if (give_up_after.count() && Clock::now() - start > give_up_after)
      return Fail(ErrorCode::kUnavailable, why);
    if (attempt == 0 || attempt % 20 == 0)
      spdlog::warn("server unreachable ({}): {}; retrying", path, why);
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

}  // namespace kraken::agent
