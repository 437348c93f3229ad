#include "http/error_response.h"

#include <algorithm>
#include <cstdio>

namespace kraken::http {

std::string JsonQuote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

Response ErrorResponse(int status, std::string_view code, std::string_view message) {
  return Response::Json(status, "{\"error\": {\"code\": " + JsonQuote(code) +
                                    ", \"message\": " + JsonQuote(message) + "}}");
}

Response RetryLater(int status, std::string_view code, std::string_view message,
                    std::chrono::milliseconds retry_after) {
  Response response = ErrorResponse(status, code, message);
  long long seconds = std::max<long long>(1, (retry_after.count() + 999) / 1000);
  response.headers.emplace_back("Retry-After", std::to_string(seconds));
  return response;
}

}  // namespace kraken::http
