#include "api/json_io.h"

#include <cstdlib>

#include "core/json_limits.h"

namespace kraken::api {

// Parsed with a depth limit, so no handler sees a value too deep to copy or serialise.
Result<Json> ParseObject(const http::Request& request) {
  if (request.body.empty()) return Json::object();
  auto body = ParseJson(request.body);
  if (!body) return Invalid("body", "the request body is " + body.error().message);
  if (!body->is_object()) return Invalid("body", "the request body must be a JSON object");
  return body;
}

http::Response JsonResponse(int status, const Json& body) {
  return http::Response::Json(status, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

http::Response ErrorResponse(const Error& error) {
  Json e = {{"code", ErrorCodeName(error.code)}, {"message", error.message}};
  if (!error.field.empty()) e["field"] = error.field;
  return JsonResponse(HttpStatusOf(error.code), Json{{"error", e}});
}

Result<int64_t> IdParam(const http::Request& request, const std::string& name) {
  auto it = request.params.find(name);
  if (it == request.params.end()) return Invalid(name, "missing path parameter");
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || v <= 0)
    return Invalid(name, "'" + it->second + "' is not a valid id");
  return v;
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
