#include "cloud/aws/ec2_query.h"

#include <string>

#include "cloud/aws/crypto.h"

namespace kraken::aws {
namespace {

constexpr size_t kMaxUserDataBytes = 16 * 1024;

QueryParams Start(std::string_view action) {
  return {{"Action", std::string(action)}, {"Version", std::string(kEc2ApiVersion)}};
}

void AddList(QueryParams& params, const std::string& prefix,
             const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    params.emplace_back(prefix + "." + std::to_string(i + 1), values[i]);
  }
}

void AddFilters(QueryParams& params, const std::vector<Filter>& filters) {
  for (size_t i = 0; i < filters.size(); ++i) {
    const std::string prefix = "Filter." + std::to_string(i + 1);
    params.emplace_back(prefix + ".Name", filters[i].name);
    AddList(params, prefix + ".Value", filters[i].values);
  }
}

void AddPaging(QueryParams& params, int max_results, const std::string& next_token) {
  if (max_results > 0) params.emplace_back("MaxResults", std::to_string(max_results));
  if (!next_token.empty()) params.emplace_back("NextToken", next_token);
}

void AddIfSet(QueryParams& params, std::string name, const std::string& value) {
  if (!value.empty()) params.emplace_back(std::move(name), value);
}

tl::unexpected<AwsError> Invalid(std::string code, std::string message) {
  return Fail(MakeAwsError(std::move(code), std::move(message), 400));
}

}  // namespace

Result<QueryParams> RunInstancesParams(const RunInstancesRequest& request) {
  if (request.image_id.empty()) return Invalid("MissingParameter", "ImageId is required");
  if (request.instance_type.empty()) {
    return Invalid("MissingParameter", "InstanceType is required");
  }
  if (request.min_count < 1 || request.max_count < request.min_count) {
    return Invalid("InvalidParameterValue", "need 1 <= MinCount <= MaxCount");
  }
  // EC2's limit applies to the script before base64; a clear message beats its own.
  if (request.user_data.size() > kMaxUserDataBytes) {
    return Invalid("InvalidParameterValue", "user data is " +
                                                std::to_string(request.user_data.size()) +
                                                " bytes; EC2 accepts at most 16384");
  }
  if (request.root_volume_gib < 0) {
    return Invalid("InvalidParameterValue", "root volume size must not be negative");
  }
  // Without the AMI's own root device name EC2 would attach a second, empty disk.
  if (request.root_volume_gib > 0 && request.root_device_name.empty()) {
    return Invalid("MissingParameter",
                   "a root volume size needs the image's root device name (DescribeImages)");
  }

  QueryParams params = Start("RunInstances");
  params.emplace_back("ImageId", request.image_id);
  params.emplace_back("InstanceType", request.instance_type);
  params.emplace_back("MinCount", std::to_string(request.min_count));
  params.emplace_back("MaxCount", std::to_string(request.max_count));
  if (!request.user_data.empty()) {
    params.emplace_back("UserData", Base64Encode(request.user_data));
  }
  if (request.root_volume_gib > 0) {
    params.emplace_back("BlockDeviceMapping.1.DeviceName", request.root_device_name);
    params.emplace_back("BlockDeviceMapping.1.Ebs.VolumeSize",
                        std::to_string(request.root_volume_gib));
    params.emplace_back("BlockDeviceMapping.1.Ebs.VolumeType", "gp3");
    params.emplace_back("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true");
  }
  if (request.spot) {
    params.emplace_back("InstanceMarketOptions.MarketType", "spot");
    params.emplace_back("InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time");
    params.emplace_back("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior",
                        "terminate");
    AddIfSet(params, "InstanceMarketOptions.SpotOptions.MaxPrice", request.spot_max_price);
  }
  if (request.detailed_monitoring) params.emplace_back("Monitoring.Enabled", "true");
  if (request.unlimited_cpu_credits) {
    params.emplace_back("CreditSpecification.CpuCredits", "unlimited");
  }
  if (!request.tags.empty()) {
    params.emplace_back("TagSpecification.1.ResourceType", "instance");
    for (size_t i = 0; i < request.tags.size(); ++i) {
      const std::string prefix = "TagSpecification.1.Tag." + std::to_string(i + 1);
      params.emplace_back(prefix + ".Key", request.tags[i].key);
      params.emplace_back(prefix + ".Value", request.tags[i].value);
    }
  }
  AddIfSet(params, "SubnetId", request.subnet_id);
  AddList(params, "SecurityGroupId", request.security_group_ids);
  AddIfSet(params, "KeyName", request.key_name);
  AddIfSet(params, "IamInstanceProfile.Name", request.iam_instance_profile);
  AddIfSet(params, "ClientToken", request.client_token);
  return params;
}

QueryParams DescribeInstancesParams(const DescribeInstancesRequest& request) {
  QueryParams params = Start("DescribeInstances");
  AddList(params, "InstanceId", request.instance_ids);
  AddFilters(params, request.filters);
  AddPaging(params, request.max_results, request.next_token);
  return params;
}

QueryParams TerminateInstancesParams(const std::vector<std::string>& instance_ids) {
  QueryParams params = Start("TerminateInstances");
  AddList(params, "InstanceId", instance_ids);
  return params;
}

QueryParams DescribeRegionsParams(const DescribeRegionsRequest& request) {
  QueryParams params = Start("DescribeRegions");
  AddList(params, "RegionName", request.region_names);
  if (request.all_regions) params.emplace_back("AllRegions", "true");
  return params;
}

QueryParams DescribeInstanceTypeOfferingsParams(
    const DescribeInstanceTypeOfferingsRequest& request) {
  QueryParams params = Start("DescribeInstanceTypeOfferings");
  AddIfSet(params, "LocationType", request.location_type);
  AddFilters(params, request.filters);
  AddPaging(params, request.max_results, request.next_token);
  return params;
}

QueryParams DescribeImagesParams(const DescribeImagesRequest& request) {
  QueryParams params = Start("DescribeImages");
  AddList(params, "ImageId", request.image_ids);
  AddList(params, "Owner", request.owners);
  AddFilters(params, request.filters);
  return params;
}

std::string_view ParamValue(const QueryParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace kraken::aws
