#include "cloud/docker/docker_error.h"

#include "core/json.h"

namespace kraken::docker {

std::string EngineMessage(std::string_view body) {
  Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) {
    auto message = json.find("message");
    if (message != json.end() && message->is_string()) return message->get<std::string>();
  }
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) {
    body.remove_suffix(1);
  }
  return std::string(body);
}

ErrorCode ErrorCodeFor(int status, std::string_view message) {
  if (status == 500) {
    auto says = [message](std::string_view part) {
      return message.find(part) != std::string_view::npos;
    };
    if (says("is already in use") || says("container state improper")) {
      return ErrorCode::kConflict;
    }
    if (says("network not found")) return ErrorCode::kNotFound;
  }
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
      return status >= 500 && status <= 599 ? ErrorCode::kUnavailable : ErrorCode::kInternal;
  }
}

Error EngineError(std::string_view what, const EngineResponse& response) {
  std::string message = EngineMessage(response.body);
  if (message.empty()) message = "no details given";
  return Error{ErrorCodeFor(response.status, message),
               "docker engine could not " + std::string(what) + ": " + message + " (HTTP " +
                   std::to_string(response.status) + ")",
               ""};
}

}  // namespace kraken::docker
