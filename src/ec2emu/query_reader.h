// Reading EC2 Query API parameters on the receiving side: EC2's flattened lists
// ("InstanceId.1", "Filter.2.Value.1", "TagSpecification.1.Tag.3.Key"), integers with
// EC2's error for a bad value, filters with EC2's wildcards, and base64 user data.
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/aws/aws_error.h"
#include "cloud/aws/ec2_query.h"
#include "cloud/aws/ec2_types.h"
#include "cloud/aws/uri_encoding.h"

namespace kraken::ec2emu {

// An AwsError with EC2's status for its code (400 unless given).
tl::unexpected<aws::AwsError> Ec2Fail(std::string code, std::string message, int status = 400);

// The values of `prefix`.1, `prefix`.2, ... in index order (gaps allowed, as EC2 does).
std::vector<std::string> ListParam(const aws::QueryParams& params, std::string_view prefix);

// The member numbers N that occur as `prefix`.N.<anything>, ascending.
std::vector<int> MemberIndexes(const aws::QueryParams& params, std::string_view prefix);

// "Filter.N.Name" / "Filter.N.Value.M".
std::vector<aws::Filter> FilterParams(const aws::QueryParams& params);

// An optional integer parameter; InvalidParameterValue when present but not in [min, max].
aws::Result<std::optional<int64_t>> IntParam(const aws::QueryParams& params, std::string_view name,
                                             int64_t min, int64_t max);

// EC2's filter values: '*' matches any run of characters, '?' any one.
bool GlobMatch(std::string_view pattern, std::string_view text);

// Standard base64 (padding optional, whitespace ignored); nullopt when malformed.
std::optional<std::string> Base64Decode(std::string_view text);

// "i-" or "r-" followed by 17 lowercase hex digits, as EC2's current ids.
std::string NewResourceId(const std::string& prefix);
// A request id in EC2's UUID form.
std::string NewRequestId();
// ISO 8601 with milliseconds and Z, as EC2 writes times.
std::string IsoTime(int64_t unix_ms);

}  // namespace kraken::ec2emu
