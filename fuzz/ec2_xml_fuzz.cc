// An EC2 API response body, through every response parser and the error-document reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cloud/aws/ec2_xml_parser.h"

using namespace kraken::aws;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  (void)ParseRunInstancesResponse(xml);
  (void)ParseDescribeInstancesResponse(xml);
  (void)ParseTerminateInstancesResponse(xml);
  (void)ParseDescribeRegionsResponse(xml);
  (void)ParseDescribeInstanceTypeOfferingsResponse(xml);
  (void)ParseDescribeImagesResponse(xml);
  (void)ParseErrorResponse(xml, 400);
  (void)ParseErrorResponse(xml, 503);
  return 0;
}
