// Writes the XML EC2 answers with (API version 2016-11-15) from the structs of
// ec2_types.h, so that an EC2 emulator can reply as EC2 does; the inverse of
// ec2_xml_parser.h. Pure functions, thread-safe.
#pragma once

#include <string>

#include "cloud/aws/aws_error.h"
#include "cloud/aws/ec2_types.h"

namespace kraken::aws {

std::string WriteRunInstancesResponse(const RunInstancesResponse& response);
std::string WriteDescribeInstancesResponse(const DescribeInstancesResponse& response);
std::string WriteTerminateInstancesResponse(const TerminateInstancesResponse& response);
std::string WriteDescribeRegionsResponse(const DescribeRegionsResponse& response);
std::string WriteDescribeInstanceTypeOfferingsResponse(
    const DescribeInstanceTypeOfferingsResponse& response);
std::string WriteDescribeImagesResponse(const DescribeImagesResponse& response);

// EC2's error document: <Response><Errors><Error><Code/><Message/></Error></Errors>
// <RequestID/></Response>. Send it with error.http_status.
std::string WriteErrorResponse(const AwsError& error);

}  // namespace kraken::aws
