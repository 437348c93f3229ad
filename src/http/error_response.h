// The JSON error body the server sends for requests no handler answered (unknown route,
// wrong method, oversized or malformed request, a handler that threw):
//   {"error": {"code": "not_found", "message": "..."}}
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "http/message.h"

namespace kraken::http {

Response ErrorResponse(int status, std::string_view code, std::string_view message);
// An error that says when to try again: 429 (too many attempts) or 503 (too busy), with
// Retry-After in whole seconds, rounded up.
Response RetryLater(int status, std::string_view code, std::string_view message,
                    std::chrono::milliseconds retry_after);

// `text` as a JSON string literal, quotes included.
std::string JsonQuote(std::string_view text);

}  // namespace kraken::http
