#include "cloud/aws/aws_error.h"

#include <array>

namespace kraken::aws {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

template <size_t N>
bool IsOneOf(std::string_view code, const std::array<std::string_view, N>& codes) {
  for (std::string_view c : codes) {
    if (code == c) return true;
  }
  return false;
}

// Codes the AWS SDKs treat as throttling; EC2 itself mostly sends RequestLimitExceeded.
constexpr std::array<std::string_view, 12> kThrottlingCodes = {
    "RequestLimitExceeded",     "Throttling",
    "ThrottlingException",      "ThrottledException",
    "RequestThrottled",         "RequestThrottledException",
    "TooManyRequestsException", "SlowDown",
    "PriorRequestNotComplete",  "EC2ThrottledException",
    "BandwidthLimitExceeded",   "TransactionInProgressException",
};

constexpr std::array<std::string_view, 6> kCapacityCodes = {
    "InstanceLimitExceeded",
    "VcpuLimitExceeded",
    "MaxSpotInstanceCountExceeded",
    "SpotMaxPriceTooLow",
    "InsufficientFreeAddressesInSubnet",
    "InsufficientCapacity",
};

constexpr std::array<std::string_view, 8> kTransientCodes = {
    "InternalError",  "InternalFailure",         "ServiceUnavailable",    "Unavailable",
    "RequestTimeout", "RequestTimeoutException", "IDPCommunicationError", "NetworkError",
};

// Wrong credentials, permissions, AMI or parameters: checked before the status fallback
// so that they stay permanent even if a proxy rewrites the status.
constexpr std::array<std::string_view, 11> kPermanentCodes = {
    "AuthFailure",
    "UnauthorizedOperation",
    "InvalidParameterValue",
    "InvalidParameterCombination",
    "InvalidParameter",
    "OptInRequired",
    "Blocked",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "MissingParameter",
    "PendingVerification",
};

}  // namespace

ErrorKind ClassifyErrorCode(std::string_view code, int http_status) {
  if (IsOneOf(code, kThrottlingCodes)) return ErrorKind::kThrottled;
  // InsufficientInstanceCapacity, InsufficientHostCapacity, InsufficientReserved...
  if (IsOneOf(code, kCapacityCodes) ||
      (StartsWith(code, "Insufficient") && code.ends_with("Capacity"))) {
    return ErrorKind::kCapacity;
  }
  if (IsOneOf(code, kTransientCodes)) return ErrorKind::kTransient;
  if (IsOneOf(code, kPermanentCodes) || StartsWith(code, "InvalidAMIID.")) {
    return ErrorKind::kPermanent;
  }
  // Any other code that came with a 4xx: the same request would fail the same way.
  if (http_status == 429) return ErrorKind::kThrottled;
  if (http_status >= 500) return ErrorKind::kTransient;
  return ErrorKind::kPermanent;
}

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kThrottled:
      return "throttled";
    case ErrorKind::kCapacity:
      return "capacity";
    case ErrorKind::kPermanent:
      return "permanent";
    case ErrorKind::kTransient:
      return "transient";
  }
  return "permanent";
}

AwsError MakeAwsError(std::string code, std::string message, int http_status,
                      std::string request_id) {
  AwsError error;
  error.kind = ClassifyErrorCode(code, http_status);
  error.code = std::move(code);
  error.message = std::move(message);
  error.request_id = std::move(request_id);
  error.http_status = http_status;
  return error;
}

}  // namespace kraken::aws
