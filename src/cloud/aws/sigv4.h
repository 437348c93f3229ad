// AWS Signature Version 4: signs an HTTP request with an access key, either with an
// Authorization header (SignRequest) or as a presigned URL (PresignRequest), and checks
// a signed request on the receiving side (VerifySignature).
//
// Follows the AWS reference and its conformance suite (aws-c-auth's v4 tests) byte for
// byte. Pure functions on value types; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/aws/aws_error.h"

namespace kraken::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // set only for temporary (STS) credentials
};

struct HttpHeader {
  std::string name;
  std::string value;

  bool operator==(const HttpHeader&) const = default;
};

// A request as it goes on the wire. `target` is the request-target of the request line
// (path, then optionally '?' and the query) exactly as sent; header values are kept as
// received, whitespace and all, and canonicalised only for signing.
struct SignableRequest {
  std::string method;
  std::string target;
  std::vector<HttpHeader> headers;
  std::string body;

  // The value of the first header with this name (case-insensitive), if any.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct SigningParams {
  Credentials credentials;
  std::string region;
  std::string service;
  std::chrono::system_clock::time_point time;
  // true for every service but S3: "." and ".." segments and repeated slashes are removed,
  // then the path is percent-encoded as it stands, so an escape already in it is escaped
  // again (AWS's "double encoding"). false is S3's rule: segments are kept and the path is
  // encoded exactly once, whether or not it arrived escaped.
  bool normalize_path = true;
  // Adds x-amz-content-sha256 with the payload hash (header signing only; S3 wants it).
  bool add_content_sha256_header = false;
  // Sends the session token without signing it, as a few services (IoT) require.
  bool omit_session_token = false;
  // How long a presigned request stays valid (PresignRequest only).
  std::chrono::seconds expires{3600};
};

struct SignedRequest {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lowercase hex
  // The input with the authentication added: X-Amz-Security-Token, X-Amz-Date,
  // x-amz-content-sha256 and Authorization headers appended (header signing), or the
  // X-Amz-* query parameters appended to the target (presigning).
  SignableRequest request;
};

// Signs with an Authorization header. Authentication headers already present (from an
// earlier attempt) are replaced, so a retried request can be signed again.
SignedRequest SignRequest(const SignableRequest& request, const SigningParams& params);

// Signs into the query string, giving a URL that works without credentials until
// `params.expires` has passed.
SignedRequest PresignRequest(const SignableRequest& request, const SigningParams& params);

// The parts of an "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..."
// header value.
struct AuthorizationHeader {
  std::string access_key_id;
  std::string date;  // YYYYMMDD from the credential scope
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // lowercase, as listed
  std::string signature;
};

// Parses an Authorization header value; fails with IncompleteSignature if it is not a
// well-formed SigV4 header.
Result<AuthorizationHeader> ParseAuthorizationHeader(std::string_view value);

// Checks a request signed with an Authorization header against the secret key of the
// access key it names (look that up with ParseAuthorizationHeader first). Fails with
// SignatureDoesNotMatch, RequestExpired (X-Amz-Date more than 15 minutes from `now`),
// MissingAuthenticationToken or IncompleteSignature, as EC2 does; the signature
// comparison takes constant time. Returns the parsed header on success.
Result<AuthorizationHeader> VerifySignature(const SignableRequest& request,
                                            std::string_view secret_access_key,
                                            std::chrono::system_clock::time_point now,
                                            bool normalize_path = true);

// "20150830T123600Z", the X-Amz-Date format.
std::string FormatAmzDate(std::chrono::system_clock::time_point time);

// Parses FormatAmzDate's format back; nullopt if malformed.
std::optional<std::chrono::system_clock::time_point> ParseAmzDate(std::string_view text);

}  // namespace kraken::aws
