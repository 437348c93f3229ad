// JSON in and out of HTTP handlers: body parsing with clear 400s, error bodies, and the
// mapping from Error codes to statuses. Pure helpers; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json.h"
#include "http/message.h"

namespace kraken::api {

// The request body as a JSON object; a 400-worthy Error when it is not one.
Result<Json> ParseObject(const http::Request& request);

// Parses a JSON body into request.prepared, for ParseObject to take: the server runs it on a
// worker thread for a large body (http::ServerOptions::prepare_body), so that parsing does
// not hold up the loop.
void PrepareJsonBody(http::Request& request);

// An answer with `body` serialised. A body of more than kRenderOffLoopNodes values is
// serialised by the server's worker threads (http::Response::render), not on the loop.
http::Response JsonResponse(int status, const Json& body);
http::Response JsonResponse(int status, Json&& body);
inline constexpr size_t kRenderOffLoopNodes = 2048;

// Whether `value` holds more than `limit` values (itself included), counting no further.
bool HasMoreNodesThan(const Json& value, size_t limit);
// {"error": {"code": ..., "message": ..., "field": ...}} with the matching status.
http::Response ErrorResponse(const Error& error);

// Reads an id path parameter; a 400 when it is not a positive integer.
Result<int64_t> IdParam(const http::Request& request, const std::string& name);

// The whole of `text` as a decimal integer (an optional '-' and digits, no spaces), or
// nullopt when it is not one or does not fit in 64 bits. Every integer in a path or a query
// is read with it.
std::optional<int64_t> ToInteger(std::string_view text);
// The query parameter `name` as an integer in [min, max], `fallback` when it is absent or
// empty; otherwise a 400 naming the parameter, saying `expected` (e.g. "must be 0 or more").
Result<int64_t> QueryInteger(const http::Request& request, const std::string& name,
                             int64_t fallback, int64_t min, int64_t max,
                             const std::string& expected);

// The token of an "Authorization: Bearer TOKEN" header, or empty.
std::string BearerToken(const http::Request& request);

// 413 with the usual error body: the client should send less.
http::Response TooLarge(const std::string& message, const std::string& field = "body");

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
