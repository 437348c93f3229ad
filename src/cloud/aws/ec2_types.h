// The EC2 requests and responses Kraken uses (API version 2016-11-15), as plain structs:
// RunInstances, DescribeInstances, TerminateInstances, DescribeRegions,
// DescribeInstanceTypeOfferings and DescribeImages. Only the fields Kraken reads or sets
// are modelled. Value types, no behaviour beyond small accessors.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kraken::aws {

struct Tag {
  std::string key;
  std::string value;

  bool operator==(const Tag&) const = default;
};

// A Describe* filter: matches when the named attribute equals any of the values.
struct Filter {
  std::string name;
  std::vector<std::string> values;

  bool operator==(const Filter&) const = default;
};

// "tag:<key>" = value, e.g. the instances of one agent group.
Filter TagFilter(std::string key, std::string value);
// instance-state-name in {pending, running, ...}.
Filter InstanceStateFilter(std::vector<std::string> states);

struct RunInstancesRequest {
  std::string image_id;
  std::string instance_type;
  int min_count = 1;
  int max_count = 1;
  std::string user_data;  // the script itself; base64-encoded on the wire
  // Root disk: the AMI's rootDeviceName (from DescribeImages, e.g. "/dev/xvda" or
  // "/dev/sda1") and the size in GiB; size 0 keeps the AMI's disk. The volume is gp3 and
  // goes away with the instance.
  std::string root_device_name;
  int root_volume_gib = 0;
  bool spot = false;
  std::string spot_max_price;  // USD per hour; empty caps at the on-demand price
  bool detailed_monitoring = false;
  bool unlimited_cpu_credits = false;  // only for burstable types (t2, t3, t3a, t4g)
  std::vector<Tag> tags;               // applied to the instance at launch
  std::string subnet_id;               // empty: the default VPC's default subnet
  std::vector<std::string> security_group_ids;
  std::string key_name;
  std::string iam_instance_profile;  // instance profile name
  std::string client_token;          // idempotency token: a retry launches nothing new
};

struct InstanceState {
  int code = 0;  // 0 pending, 16 running, 32 shutting-down, 48 terminated, 64 stopping, 80 stopped
  std::string name;  // "pending", "running", ...

  bool operator==(const InstanceState&) const = default;
};

struct Instance {
  std::string instance_id;
  std::string image_id;
  InstanceState state;
  std::string instance_type;
  std::string launch_time;  // ISO 8601, as EC2 sends it: "2024-01-02T03:04:05.000Z"
  std::string availability_zone;
  std::string private_ip_address;
  std::string public_ip_address;
  std::string subnet_id;
  bool spot = false;  // instanceLifecycle is "spot"
  std::vector<Tag> tags;
  // Why the instance last changed state, when EC2 says (a spot interruption is
  // "Server.SpotInstanceTermination", a launch that failed "Server.InternalError").
  std::string state_reason_code;
  std::string state_reason_message;

  // The value of the tag with this key, if the instance has it.
  std::optional<std::string> TagValue(const std::string& key) const;
  bool operator==(const Instance&) const = default;
};

struct Reservation {
  std::string reservation_id;
  std::string owner_id;
  std::vector<Instance> instances;

  bool operator==(const Reservation&) const = default;
};

struct RunInstancesResponse {
  std::string request_id;
  Reservation reservation;
};

struct DescribeInstancesRequest {
  std::vector<std::string> instance_ids;
  std::vector<Filter> filters;
  int max_results = 0;  // 0: EC2's default; not allowed together with instance_ids
  std::string next_token;
};

struct DescribeInstancesResponse {
  std::string request_id;
  std::vector<Reservation> reservations;
  std::string next_token;  // empty on the last page

  std::vector<Instance> Instances() const;
};

struct InstanceStateChange {
  std::string instance_id;
  InstanceState current_state;
  InstanceState previous_state;

  bool operator==(const InstanceStateChange&) const = default;
};

struct TerminateInstancesResponse {
  std::string request_id;
  std::vector<InstanceStateChange> instances;
};

struct DescribeRegionsRequest {
  std::vector<std::string> region_names;  // empty: all enabled regions
  bool all_regions = false;               // include regions the account has not opted into
};

struct Region {
  std::string name;           // "eu-west-1"
  std::string endpoint;       // "ec2.eu-west-1.amazonaws.com"
  std::string opt_in_status;  // "opt-in-not-required", "opted-in" or "not-opted-in"

  bool operator==(const Region&) const = default;
};

struct DescribeRegionsResponse {
  std::string request_id;
  std::vector<Region> regions;
};

struct DescribeInstanceTypeOfferingsRequest {
  std::string location_type = "region";  // or "availability-zone", "availability-zone-id"
  std::vector<Filter> filters;           // e.g. {"instance-type", {"t3.micro"}}
  int max_results = 0;
  std::string next_token;
};

struct InstanceTypeOffering {
  std::string instance_type;
  std::string location_type;
  std::string location;

  bool operator==(const InstanceTypeOffering&) const = default;
};

struct DescribeInstanceTypeOfferingsResponse {
  std::string request_id;
  std::vector<InstanceTypeOffering> offerings;
  std::string next_token;
};

enum class Platform { kLinux, kWindows };

struct DescribeImagesRequest {
  std::vector<std::string> image_ids;
  std::vector<std::string> owners;  // account ids, "self", "amazon"
  std::vector<Filter> filters;      // e.g. {"platform", {"windows"}}
};

struct Image {
  std::string image_id;
  std::string name;
  std::string description;
  std::string state;  // "available", "pending", "failed", ...
  std::string owner_id;
  std::string creation_date;
  std::string architecture;              // "x86_64", "arm64"
  Platform platform = Platform::kLinux;  // EC2 only marks Windows images
  std::string platform_details;          // "Linux/UNIX", "Windows", ...
  std::string root_device_type;          // "ebs"
  std::string root_device_name;          // what RunInstancesRequest::root_device_name needs

  bool operator==(const Image&) const = default;
};

struct DescribeImagesResponse {
  std::string request_id;
  std::vector<Image> images;
};

}  // namespace kraken::aws
