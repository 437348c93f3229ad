// A client for the EC2 Query API (2016-11-15): builds each request, signs it with SigV4
// and sends it through an HttpTransport, then parses EC2's XML answer or error. Describe
// calls follow nextToken, so each returns every page at once.
//
// Holds no mutable state of its own: thread-safe if its transport is.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "cloud/aws/aws_error.h"
#include "cloud/aws/ec2_types.h"
#include "cloud/aws/http_transport.h"
#include "cloud/aws/sigv4.h"
#include "cloud/aws/uri_encoding.h"

namespace kraken::aws {

struct Ec2ClientConfig {
  Credentials credentials;
  std::string region;    // "eu-west-1"; also the signing region with an endpoint override
  std::string endpoint;  // empty: https://ec2.<region>.amazonaws.com; else e.g. an emulator
  // The signing time; empty means the system clock. Tests pin it.
  std::function<std::chrono::system_clock::time_point()> now;
};

class Ec2Client {
 public:
  // `transport` must outlive the client.
  Ec2Client(Ec2ClientConfig config, HttpTransport& transport);

  Result<RunInstancesResponse> RunInstances(const RunInstancesRequest& request);
  Result<DescribeInstancesResponse> DescribeInstances(const DescribeInstancesRequest& request);
  Result<TerminateInstancesResponse> TerminateInstances(
      const std::vector<std::string>& instance_ids);
  Result<DescribeRegionsResponse> DescribeRegions(const DescribeRegionsRequest& request = {});
  Result<DescribeInstanceTypeOfferingsResponse> DescribeInstanceTypeOfferings(
      const DescribeInstanceTypeOfferingsRequest& request);
  Result<DescribeImagesResponse> DescribeImages(const DescribeImagesRequest& request);

  // The endpoint requests go to, without a trailing slash.
  const std::string& endpoint() const { return endpoint_; }

 private:
  // Signs and sends one action; returns the body of a 2xx answer, or EC2's error.
  Result<std::string> Call(const QueryParams& params);

  const Ec2ClientConfig config_;
  const std::string endpoint_;
  HttpTransport& transport_;
};

}  // namespace kraken::aws
