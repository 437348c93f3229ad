// Reads EC2's XML responses (API version 2016-11-15) into the structs of ec2_types.h, and
// EC2's error document into an AwsError. Unknown elements are ignored, so newer EC2
// responses still parse. Pure functions, thread-safe.
#pragma once

#include <string_view>

#include "cloud/aws/aws_error.h"
#include "cloud/aws/ec2_types.h"

namespace kraken::aws {

// Each parser fails with code "MalformedResponse" (kTransient: a cut-off body is the
// usual cause) when the body is not the expected document, and with the error it carries
// when the body is EC2's error document.
Result<RunInstancesResponse> ParseRunInstancesResponse(std::string_view xml);
Result<DescribeInstancesResponse> ParseDescribeInstancesResponse(std::string_view xml);
Result<TerminateInstancesResponse> ParseTerminateInstancesResponse(std::string_view xml);
Result<DescribeRegionsResponse> ParseDescribeRegionsResponse(std::string_view xml);
Result<DescribeInstanceTypeOfferingsResponse> ParseDescribeInstanceTypeOfferingsResponse(
    std::string_view xml);
Result<DescribeImagesResponse> ParseDescribeImagesResponse(std::string_view xml);

// Reads <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
// (and the <ErrorResponse> form other AWS query services use). A body that is neither,
// such as a proxy's HTML page, gives code "HttpError" classified by the status alone.
AwsError ParseErrorResponse(std::string_view body, int http_status);

}  // namespace kraken::aws
