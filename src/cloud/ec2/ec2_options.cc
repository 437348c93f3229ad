#include "cloud/ec2/ec2_options.h"

#include <regex>

namespace kraken::ec2 {
namespace {

tl::unexpected<Error> Bad(const std::string& key, const std::string& message) {
  return Invalid("deployment." + key, key + " " + message);
}

Result<std::string> String(const Json& d, const std::string& key) {
  auto it = d.find(key);
  if (it == d.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Bad(key, "must be a string");
  return it->get<std::string>();
}

Result<bool> Bool(const Json& d, const std::string& key) {
  auto it = d.find(key);
  if (it == d.end() || it->is_null()) return false;
  if (!it->is_boolean()) return Bad(key, "must be true or false");
  return it->get<bool>();
}

}  // namespace

bool IsAmiId(const std::string& system) {
  static const std::regex kAmi("ami-([0-9a-f]{8}|[0-9a-f]{17})");
  return std::regex_match(system, kAmi);
}

bool IsBurstableType(const std::string& type) {
  return type.starts_with("t2.") || type.starts_with("t3.") || type.starts_with("t3a.") ||
         type.starts_with("t4g.");
}

Result<Ec2Options> ParseEc2Options(const Json& d) {
  if (!d.is_object()) return Invalid("deployment", "deployment must be an object");
  Ec2Options o;
  KR_ASSIGN(o.region, String(d, "region"));
  static const std::regex kRegion("[a-z]{2}(-[a-z]+)+-[0-9]+");
  if (o.region.empty()) return Bad("region", "is required (e.g. us-east-1)");
  if (!std::regex_match(o.region, kRegion))
    return Bad("region", "is not a region name: " + o.region);
  KR_ASSIGN(o.instance_type, String(d, "instance_type"));
  static const std::regex kType("[a-z][a-z0-9-]*\\.[a-z0-9]+");
  if (o.instance_type.empty()) return Bad("instance_type", "is required (e.g. t3.micro)");
  if (!std::regex_match(o.instance_type, kType))
    return Bad("instance_type", "is not an instance type: " + o.instance_type);
  KR_ASSIGN(o.default_ami, String(d, "default_ami"));
  if (!o.default_ami.empty() && !IsAmiId(o.default_ami))
    return Bad("default_ami", "must be an AMI id (ami-...)");
  KR_ASSIGN(o.spot, Bool(d, "spot"));
  KR_ASSIGN(o.monitoring, Bool(d, "monitoring"));
  KR_ASSIGN(o.cpu_credits_unlimited, Bool(d, "cpu_credits_unlimited"));
  if (auto it = d.find("disk_size_gb"); it != d.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 16384)
      return Bad("disk_size_gb", "must be a whole number of GiB from 0 to 16384");
    o.disk_size_gb = it->get<int>();
  }
  KR_ASSIGN(o.init_script, String(d, "init_script"));
  KR_ASSIGN(o.subnet_id, String(d, "subnet_id"));
  if (!o.subnet_id.empty() && !o.subnet_id.starts_with("subnet-"))
    return Bad("subnet_id", "must be a subnet id (subnet-...)");
  if (auto it = d.find("security_group_ids"); it != d.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("security_group_ids", "must be a list of security group ids");
    for (const Json& g : *it) {
      if (!g.is_string() || !g.get<std::string>().starts_with("sg-"))
        return Bad("security_group_ids", "must be a list of security group ids (sg-...)");
      o.security_group_ids.push_back(g.get<std::string>());
    }
  }
  KR_ASSIGN(o.key_name, String(d, "key_name"));
  KR_ASSIGN(o.iam_instance_profile, String(d, "iam_instance_profile"));
  return o;
}

}  // namespace kraken::ec2
