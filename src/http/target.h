// Splitting and percent-decoding of a request target ("/a%20b/c?x=1&y=%2F") into the
// decoded path and query map that Request carries. Pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kraken::http {

// Decodes %XX escapes; with `plus_is_space` (query strings) also '+' to ' '. Returns
// nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Splits an origin-form target into a decoded path and decoded query parameters (the last
// of repeated names wins). Returns an error message for a target the server must refuse
// with 400: not starting with '/', a bad escape, a NUL byte, or a "." or ".." segment (so
// that no handler serving files can be walked out of its directory).
std::optional<std::string> ParseTarget(std::string_view target, std::string& path,
                                       std::map<std::string, std::string>& query);

}  // namespace kraken::http
