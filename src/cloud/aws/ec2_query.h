// Builds the parameters of EC2 Query API requests (the form-encoded POST body:
// Action=...&Version=2016-11-15&...), with EC2's flattened list names
// ("TagSpecification.1.Tag.2.Key", "Filter.1.Value.1"). Pure functions, thread-safe.
#pragma once

#include <string_view>

#include "cloud/aws/aws_error.h"
#include "cloud/aws/ec2_types.h"
#include "cloud/aws/uri_encoding.h"

namespace kraken::aws {

inline constexpr std::string_view kEc2ApiVersion = "2016-11-15";

// Fails with MissingParameter/InvalidParameterValue (kPermanent) for a request EC2 would
// reject anyway: no image or type, bad counts, a root size without its device name.
Result<QueryParams> RunInstancesParams(const RunInstancesRequest& request);
QueryParams DescribeInstancesParams(const DescribeInstancesRequest& request);
QueryParams TerminateInstancesParams(const std::vector<std::string>& instance_ids);
QueryParams DescribeRegionsParams(const DescribeRegionsRequest& request);
QueryParams DescribeInstanceTypeOfferingsParams(
    const DescribeInstanceTypeOfferingsRequest& request);
QueryParams DescribeImagesParams(const DescribeImagesRequest& request);

// The value of the first parameter with this name, or empty. Lets a receiver (the EC2
// emulator, tests) read a parsed body.
std::string_view ParamValue(const QueryParams& params, std::string_view name);

}  // namespace kraken::aws
