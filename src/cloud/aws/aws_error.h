// The error value every AWS call returns, and the retry class of an EC2 error code.
//
// A caller decides what to do from `kind` alone (back off, try again later, give up); `code`
// and `message` are EC2's own words, kept for logs and for the rare caller that needs a
// specific code (InvalidInstanceID.NotFound, say). Plain value types; functions are pure.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace kraken::aws {

enum class ErrorKind {
  kThrottled,  // too many requests: retry with exponential backoff
  kCapacity,   // no capacity or quota for this launch now: retry later or elsewhere
  kPermanent,  // the request itself is wrong or not allowed: retrying cannot help
  kTransient,  // a server or network fault: retrying soon may help
};

struct AwsError {
  ErrorKind kind = ErrorKind::kPermanent;
  std::string code;  // EC2's error code, e.g. "InsufficientInstanceCapacity"
  std::string message;
  std::string request_id;  // EC2's RequestID, for AWS support; empty if none
  int http_status = 0;     // 0 when no response arrived (network failure)
};

template <typename T>
using Result = tl::expected<T, AwsError>;

// Maps an EC2 error code (and the HTTP status it came with, 0 if unknown) onto a retry
// class. Unknown codes fall back on the status: 5xx is transient, 429 throttled, anything
// else permanent.
ErrorKind ClassifyErrorCode(std::string_view code, int http_status);

std::string_view ErrorKindName(ErrorKind kind);

// An error built from a code, classified by ClassifyErrorCode.
AwsError MakeAwsError(std::string code, std::string message, int http_status,
                      std::string request_id = {});

inline tl::unexpected<AwsError> Fail(AwsError error) {
  return tl::unexpected<AwsError>(std::move(error));
}

}  // namespace kraken::aws
