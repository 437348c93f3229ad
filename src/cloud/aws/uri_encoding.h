// Percent-encoding as AWS defines it (RFC 3986: everything but A-Z a-z 0-9 - _ . ~ is
// escaped, with uppercase hex), and the key=value lists built from it: SigV4 query
// strings and EC2 Query API form bodies. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kraken::aws {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Escapes every byte outside the unreserved set; '/' stays as is when keep_slash is set
// (URI paths).
std::string UriEncode(std::string_view text, bool keep_slash = false);

// Turns %XX escapes back into bytes, and '+' into a space when plus_is_space is set
// (HTML form bodies). A malformed escape is kept literally rather than rejected, as
// servers commonly do.
std::string UriDecode(std::string_view text, bool plus_is_space = false);

// Splits "a=1&b=2" into decoded pairs in their original order. A part without '=' has an
// empty value; empty parts ("a=1&&b=2") are skipped.
QueryParams ParseQueryString(std::string_view query, bool plus_is_space = false);

// The inverse of ParseQueryString: "k=v&k=v", each key and value UriEncode'd, in the given
// order.
std::string BuildQueryString(const QueryParams& params);

}  // namespace kraken::aws
