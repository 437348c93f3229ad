#include "api/json_io.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <optional>

#include "core/json_limits.h"

namespace kraken::api {

namespace {

// A body parsed ahead of its handler; ParseObject takes the value once.
struct PreparedJson {
  std::optional<Result<Json>> value;
};

// Parsed with a depth limit, so no handler sees a value too deep to copy or serialise.
Result<Json> ParseBody(const std::string& text) {
  if (text.empty()) return Json::object();
  auto body = ParseJson(text);
  if (!body) return Invalid("body", "the request body is " + body.error().message);
  if (!body->is_object()) return Invalid("body", "the request body must be a JSON object");
  return body;
}

}  // namespace

void PrepareJsonBody(http::Request& request) {
  // Only what can be a JSON object: a blob upload, say, is left alone (and costs nothing).
  size_t first = request.body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || request.body[first] != '{') return;
  request.prepared = std::make_shared<PreparedJson>(PreparedJson{ParseBody(request.body)});
}

Result<Json> ParseObject(const http::Request& request) {
  if (auto* prepared = std::any_cast<std::shared_ptr<PreparedJson>>(&request.prepared);
      prepared != nullptr && (*prepared)->value) {
    Result<Json> value = std::move(*(*prepared)->value);
    (*prepared)->value.reset();  // a second read parses the body again
    return value;
  }
  return ParseBody(request.body);
}

namespace {

std::string Dump(const Json& body) {
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

bool HasMoreNodesThan(const Json& value, size_t limit) {
  size_t seen = 0;
  std::vector<const Json*> pending = {&value};
  while (!pending.empty()) {
    const Json* node = pending.back();
    pending.pop_back();
    if (++seen > limit) return true;
    if (!node->is_structured()) continue;
    // Every value pending is one more seen: a wide array answers without being walked.
    if (seen + pending.size() + node->size() > limit) return true;
    for (const Json& child : *node) pending.push_back(&child);
  }
  return false;
}

http::Response JsonResponse(int status, const Json& body) {
  if (HasMoreNodesThan(body, kRenderOffLoopNodes)) return JsonResponse(status, Json(body));
  return http::Response::Json(status, Dump(body));
}

http::Response JsonResponse(int status, Json&& body) {
  if (!HasMoreNodesThan(body, kRenderOffLoopNodes)) return http::Response::Json(status, Dump(body));
  http::Response response = http::Response::Json(status, "");
  response.render = [body = std::make_shared<Json>(std::move(body))] { return Dump(*body); };
  return response;
}

http::Response ErrorResponse(const Error& error) {
  Json e = {{"code", ErrorCodeName(error.code)}, {"message", error.message}};
  if (!error.field.empty()) e["field"] = error.field;
  return JsonResponse(HttpStatusOf(error.code), Json{{"error", e}});
}

Result<int64_t> IdParam(const http::Request& request, const std::string& name) {
  auto it = request.params.find(name);
  if (it == request.params.end()) return Invalid(name, "missing path parameter");
  auto v = ToInteger(it->second);
  if (!v || *v <= 0) return Invalid(name, "'" + it->second + "' is not a valid id");
  return *v;
}

std::optional<int64_t> ToInteger(std::string_view text) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [at, ec] = std::from_chars(text.data(), end, v, 10);
  if (text.empty() || ec != std::errc() || at != end) return std::nullopt;
  return v;
}

Result<int64_t> QueryInteger(const http::Request& request, const std::string& name,
                             int64_t fallback, int64_t min, int64_t max,
                             const std::string& expected) {
  std::string text = request.Query(name);
  if (text.empty()) return fallback;
  auto v = ToInteger(text);
  if (!v || *v < min || *v > max) return Invalid(name, expected);
  return *v;
}

std::string BearerToken(const http::Request& request) {
  // The scheme's name is case-insensitive (RFC 9110, 11.1).
  std::string_view auth = request.Header("authorization");
  if (auth.size() < 7 || auth[6] != ' ') return {};
  for (size_t i = 0; i < 6; ++i)
    if (std::tolower(static_cast<unsigned char>(auth[i])) != "bearer"[i]) return {};
  return std::string(auth.substr(7));
}

http::Response TooLarge(const std::string& message, const std::string& field) {
  return JsonResponse(
      413, Json{{"error", {{"code", "too_large"}, {"message", message}, {"field", field}}}});
}

Result<std::string> RequiredString(const Json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end()) return Invalid(field, "is required");
  if (!it->is_string()) return Invalid(field, "must be a string");
  if (it->get<std::string>().empty()) return Invalid(field, "must not be empty");
  return it->get<std::string>();
}

Result<std::string> OptionalString(const Json& body, const std::string& field,
                                   const std::string& fallback) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_string()) return Invalid(field, "must be a string");
  return it->get<std::string>();
}

Result<bool> OptionalBool(const Json& body, const std::string& field, bool fallback) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return Invalid(field, "must be true or false");
  return it->get<bool>();
}

}  // namespace kraken::api
