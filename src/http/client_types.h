// What both HTTP clients (http::Client over libcurl, http::BeastClient over Beast) take and
// give: whom to trust over HTTPS, and an answer. Plain data.
#pragma once

#include <string>

namespace kraken::http {

// Whom a client trusts over HTTPS. By default the system's CA bundle, with the host name
// checked; `ca_file`: the CAs of that PEM file instead; `fingerprint` (64 hex digits, see
// http/certificate.h): exactly the certificate with that SHA-256 fingerprint, whatever
// signed it and whatever names it holds. A server that fails the check is an Error with code
// kForbidden, not a transport failure to retry. `fingerprint` wins over `ca_file`.
struct TlsTrust {
  std::string ca_file;
  std::string fingerprint;  // 64 lower-case hex digits (NormalizeFingerprint)
};

struct ClientResponse {
  int status = 0;
  std::string body;
};

}  // namespace kraken::http
