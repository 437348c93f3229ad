#include "cloud/aws/ec2_query.h"

#include <gtest/gtest.h>

#include "cloud/aws/crypto.h"

namespace kraken::aws {
namespace {

TEST(RunInstancesParamsTest, MinimalRequest) {
  RunInstancesRequest request;
  request.image_id = "ami-0abcdef1234567890";
  request.instance_type = "t3.micro";
  auto params = RunInstancesParams(request);
  ASSERT_TRUE(params) << params.error().message;
  EXPECT_EQ(*params, (QueryParams{{"Action", "RunInstances"},
                                  {"Version", "2016-11-15"},
                                  {"ImageId", "ami-0abcdef1234567890"},
                                  {"InstanceType", "t3.micro"},
                                  {"MinCount", "1"},
                                  {"MaxCount", "1"}}));
}

TEST(RunInstancesParamsTest, EveryOption) {
  RunInstancesRequest request;
  request.image_id = "ami-1";
  request.instance_type = "t3.large";
  request.min_count = 2;
  request.max_count = 3;
  request.user_data = "#!/bin/bash\necho hi\n";
  request.root_device_name = "/dev/xvda";
  request.root_volume_gib = 40;
  request.spot = true;
  request.spot_max_price = "0.05";
  request.detailed_monitoring = true;
  request.unlimited_cpu_credits = true;
  request.tags = {{"kraken-group", "linux builders"}, {"Name", "kraken-agent"}};
  request.subnet_id = "subnet-1";
  request.security_group_ids = {"sg-1", "sg-2"};
  request.key_name = "ops";
  request.iam_instance_profile = "kraken-agent";
  request.client_token = "launch-42";
  auto params = RunInstancesParams(request);
  ASSERT_TRUE(params) << params.error().message;
  EXPECT_EQ(*params,
            (QueryParams{
                {"Action", "RunInstances"},
                {"Version", "2016-11-15"},
                {"ImageId", "ami-1"},
                {"InstanceType", "t3.large"},
                {"MinCount", "2"},
                {"MaxCount", "3"},
                {"UserData", "IyEvYmluL2Jhc2gKZWNobyBoaQo="},
                {"BlockDeviceMapping.1.DeviceName", "/dev/xvda"},
                {"BlockDeviceMapping.1.Ebs.VolumeSize", "40"},
                {"BlockDeviceMapping.1.Ebs.VolumeType", "gp3"},
                {"BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true"},
                {"InstanceMarketOptions.MarketType", "spot"},
                {"InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time"},
                {"InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior", "terminate"},
                {"InstanceMarketOptions.SpotOptions.MaxPrice", "0.05"},
                {"Monitoring.Enabled", "true"},
                {"CreditSpecification.CpuCredits", "unlimited"},
                {"TagSpecification.1.ResourceType", "instance"},
                {"TagSpecification.1.Tag.1.Key", "kraken-group"},
                {"TagSpecification.1.Tag.1.Value", "linux builders"},
                {"TagSpecification.1.Tag.2.Key", "Name"},
                {"TagSpecification.1.Tag.2.Value", "kraken-agent"},
                {"SubnetId", "subnet-1"},
                {"SecurityGroupId.1", "sg-1"},
                {"SecurityGroupId.2", "sg-2"},
                {"KeyName", "ops"},
                {"IamInstanceProfile.Name", "kraken-agent"},
                {"ClientToken", "launch-42"},
            }));
  EXPECT_EQ(Base64Encode(request.user_data), "IyEvYmluL2Jhc2gKZWNobyBoaQo=");
}

TEST(RunInstancesParamsTest, RejectsWhatEc2WouldReject) {
  RunInstancesRequest good;
  good.image_id = "ami-1";
  good.instance_type = "t3.micro";

  RunInstancesRequest no_image = good;
  no_image.image_id.clear();
  RunInstancesRequest bad_counts = good;
  bad_counts.min_count = 3;
  bad_counts.max_count = 2;
  RunInstancesRequest size_without_device = good;
  size_without_device.root_volume_gib = 30;
  RunInstancesRequest huge_user_data = good;
  huge_user_data.user_data.assign(16 * 1024 + 1, 'x');

  for (const RunInstancesRequest& request :
       {no_image, bad_counts, size_without_device, huge_user_data}) {
    auto params = RunInstancesParams(request);
    ASSERT_FALSE(params);
    EXPECT_EQ(params.error().kind, ErrorKind::kPermanent) << params.error().message;
  }
  good.user_data.assign(16 * 1024, 'x');
  EXPECT_TRUE(RunInstancesParams(good));
}

TEST(DescribeInstancesParamsTest, FiltersAndPaging) {
  DescribeInstancesRequest request;
  request.filters = {TagFilter("kraken-group", "7"), InstanceStateFilter({"pending", "running"})};
  request.max_results = 50;
  request.next_token = "tok";
  EXPECT_EQ(DescribeInstancesParams(request), (QueryParams{{"Action", "DescribeInstances"},
                                                           {"Version", "2016-11-15"},
                                                           {"Filter.1.Name", "tag:kraken-group"},
                                                           {"Filter.1.Value.1", "7"},
                                                           {"Filter.2.Name", "instance-state-name"},
                                                           {"Filter.2.Value.1", "pending"},
                                                           {"Filter.2.Value.2", "running"},
                                                           {"MaxResults", "50"},
                                                           {"NextToken", "tok"}}));
}

TEST(DescribeInstancesParamsTest, InstanceIds) {
  DescribeInstancesRequest request;
  request.instance_ids = {"i-1", "i-2"};
  EXPECT_EQ(DescribeInstancesParams(request), (QueryParams{{"Action", "DescribeInstances"},
                                                           {"Version", "2016-11-15"},
                                                           {"InstanceId.1", "i-1"},
                                                           {"InstanceId.2", "i-2"}}));
}

TEST(TerminateInstancesParamsTest, ListsIds) {
  EXPECT_EQ(TerminateInstancesParams({"i-1", "i-2"}), (QueryParams{{"Action", "TerminateInstances"},
                                                                   {"Version", "2016-11-15"},
                                                                   {"InstanceId.1", "i-1"},
                                                                   {"InstanceId.2", "i-2"}}));
}

TEST(DescribeRegionsParamsTest, NamesAndAllRegions) {
  EXPECT_EQ(DescribeRegionsParams({}),
            (QueryParams{{"Action", "DescribeRegions"}, {"Version", "2016-11-15"}}));
  EXPECT_EQ(DescribeRegionsParams({{"eu-west-1"}, true}),
            (QueryParams{{"Action", "DescribeRegions"},
                         {"Version", "2016-11-15"},
                         {"RegionName.1", "eu-west-1"},
                         {"AllRegions", "true"}}));
}

TEST(DescribeInstanceTypeOfferingsParamsTest, RegionWithFilter) {
  DescribeInstanceTypeOfferingsRequest request;
  request.filters = {{"instance-type", {"t3.*", "m6i.large"}}};
  EXPECT_EQ(DescribeInstanceTypeOfferingsParams(request),
            (QueryParams{{"Action", "DescribeInstanceTypeOfferings"},
                         {"Version", "2016-11-15"},
                         {"LocationType", "region"},
                         {"Filter.1.Name", "instance-type"},
                         {"Filter.1.Value.1", "t3.*"},
                         {"Filter.1.Value.2", "m6i.large"}}));
}

TEST(DescribeImagesParamsTest, IdsOwnersFilters) {
  DescribeImagesRequest request;
  request.image_ids = {"ami-1"};
  request.owners = {"self", "amazon"};
  request.filters = {{"platform", {"windows"}}};
  EXPECT_EQ(DescribeImagesParams(request), (QueryParams{{"Action", "DescribeImages"},
                                                        {"Version", "2016-11-15"},
                                                        {"ImageId.1", "ami-1"},
                                                        {"Owner.1", "self"},
                                                        {"Owner.2", "amazon"},
                                                        {"Filter.1.Name", "platform"},
                                                        {"Filter.1.Value.1", "windows"}}));
}

TEST(ParamValueTest, FindsFirst) {
  QueryParams params = ParseQueryString("Action=DescribeRegions&Version=2016-11-15");
  EXPECT_EQ(ParamValue(params, "Action"), "DescribeRegions");
  EXPECT_EQ(ParamValue(params, "Missing"), "");
}

}  // namespace
}  // namespace kraken::aws
