#include "cloud/aws/aws_error.h"

#include <gtest/gtest.h>

namespace kraken::aws {
namespace {

struct Classification {
  const char* code;
  int status;
  ErrorKind kind;
};

TEST(ClassifyErrorCodeTest, MapsEc2CodesToRetryClasses) {
  const Classification cases[] = {
      {"RequestLimitExceeded", 503, ErrorKind::kThrottled},
      {"Throttling", 400, ErrorKind::kThrottled},
      {"ThrottlingException", 400, ErrorKind::kThrottled},
      {"TooManyRequestsException", 400, ErrorKind::kThrottled},
      {"SomethingNew", 429, ErrorKind::kThrottled},
      {"InsufficientInstanceCapacity", 500, ErrorKind::kCapacity},
      {"InsufficientHostCapacity", 400, ErrorKind::kCapacity},
      {"InstanceLimitExceeded", 400, ErrorKind::kCapacity},
      {"VcpuLimitExceeded", 400, ErrorKind::kCapacity},
      {"MaxSpotInstanceCountExceeded", 400, ErrorKind::kCapacity},
      {"SpotMaxPriceTooLow", 400, ErrorKind::kCapacity},
      {"AuthFailure", 401, ErrorKind::kPermanent},
      {"UnauthorizedOperation", 403, ErrorKind::kPermanent},
      {"InvalidAMIID.Malformed", 400, ErrorKind::kPermanent},
      {"InvalidAMIID.NotFound", 400, ErrorKind::kPermanent},
      {"InvalidAMIID.Unavailable", 400, ErrorKind::kPermanent},
      {"InvalidParameterValue", 400, ErrorKind::kPermanent},
      {"InvalidParameterCombination", 400, ErrorKind::kPermanent},
      {"OptInRequired", 401, ErrorKind::kPermanent},
      {"Blocked", 403, ErrorKind::kPermanent},
      {"InvalidClientTokenId", 403, ErrorKind::kPermanent},
      {"SignatureDoesNotMatch", 403, ErrorKind::kPermanent},
      {"MissingParameter", 400, ErrorKind::kPermanent},
      {"AuthFailure", 0, ErrorKind::kPermanent},
      {"SomethingNew", 400, ErrorKind::kPermanent},
      {"InternalError", 500, ErrorKind::kTransient},
      {"Unavailable", 503, ErrorKind::kTransient},
      {"ServiceUnavailable", 503, ErrorKind::kTransient},
      {"NetworkError", 0, ErrorKind::kTransient},
      {"HttpError", 502, ErrorKind::kTransient},
  };
  for (const Classification& c : cases) {
    EXPECT_EQ(ClassifyErrorCode(c.code, c.status), c.kind)
        << c.code << " " << c.status << " gave "
        << ErrorKindName(ClassifyErrorCode(c.code, c.status));
  }
}

TEST(MakeAwsErrorTest, KeepsEveryField) {
  AwsError error = MakeAwsError("VcpuLimitExceeded", "too many vCPUs", 400, "req-1");
  EXPECT_EQ(error.kind, ErrorKind::kCapacity);
  EXPECT_EQ(error.code, "VcpuLimitExceeded");
  EXPECT_EQ(error.message, "too many vCPUs");
  EXPECT_EQ(error.http_status, 400);
  EXPECT_EQ(error.request_id, "req-1");
}

}  // namespace
}  // namespace kraken::aws
