#include "cloud/aws/ec2_types.h"

#include <utility>

namespace kraken::aws {

Filter TagFilter(std::string key, std::string value) {
  return {"tag:" + std::move(key), {std::move(value)}};
}

Filter InstanceStateFilter(std::vector<std::string> states) {
  return {"instance-state-name", std::move(states)};
}

std::optional<std::string> Instance::TagValue(const std::string& key) const {
  for (const Tag& tag : tags) {
    if (tag.key == key) return tag.value;
  }
  return std::nullopt;
}

std::vector<Instance> DescribeInstancesResponse::Instances() const {
  std::vector<Instance> out;
  for (const Reservation& reservation : reservations) {
    out.insert(out.end(), reservation.instances.begin(), reservation.instances.end());
  }
  return out;
}

}  // namespace kraken::aws
