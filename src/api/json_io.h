// JSON in and out of HTTP handlers: body parsing with clear 400s, error bodies, and the
// mapping from Error codes to statuses. Pure helpers; thread-safe.
#pragma once

#include <string>

#include "core/error.h"
#include "core/json.h"
#include "http/message.h"

namespace kraken::api {

// The request body as a JSON object; a 400-worthy Error when it is not one.
Result<Json> ParseObject(const http::Request& request);

http::Response JsonResponse(int status, const Json& body);
// {"error": {"code": ..., "message": ..., "field": ...}} with the matching status.
http::Response ErrorResponse(const Error& error);

// Reads an id path parameter; a 400 when it is not a positive integer.
Result<int64_t> IdParam(const http::Request& request, const std::string& name);

// Typed field readers with errors that name the field.
Result<std::string> RequiredString(const Json& body, const std::string& field);
Result<std::string> OptionalString(const Json& body, const std::string& field,
                                   const std::string& fallback);
Result<bool> OptionalBool(const Json& body, const std::string& field, bool fallback);

// Converts a Result into a response: 200 (or `ok_status`) with the JSON, or the error.
template <typename T, typename F>
http::Response Reply(const Result<T>& r, F&& to_json, int ok_status = 200) {
  if (!r) return ErrorResponse(r.error());
  return JsonResponse(ok_status, to_json(*r));
}

}  // namespace kraken::api
