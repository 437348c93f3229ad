// The options of an agents group deployed with method `aws_ec2`, read from the group's
// `deployment` JSON with errors that name the field ("deployment.instance_type").
// Plain value type; the parser is a pure function.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace kraken::ec2 {

struct Ec2Options {
  std::string region;         // "us-east-1"
  std::string instance_type;  // "t2.micro"
  std::string default_ami;    // for jobs whose system is not an AMI id (e.g. "any")
  bool spot = false;
  bool monitoring = false;             // detailed CloudWatch monitoring
  bool cpu_credits_unlimited = false;  // sent only for burstable types (t2, t3, t3a, t4g)
  int disk_size_gb = 0;                // 0: the AMI's size
  std::string init_script;
  std::string subnet_id;
  std::vector<std::string> security_group_ids;
  std::string key_name;
  std::string iam_instance_profile;
};

Result<Ec2Options> ParseEc2Options(const Json& deployment);

// Whether `system` names an AMI ("ami-" and 8 or 17 hex digits).
bool IsAmiId(const std::string& system);

// Whether the type earns CPU credits (and so takes a CreditSpecification).
bool IsBurstableType(const std::string& instance_type);

}  // namespace kraken::ec2
