// Makes and shares `aws_ec2` drivers: one per (region, account), made on first use and
// replaced when the account's keys or endpoint change. The autoscaler's driver registry
// asks it for the driver of a group's deployment, with the account read from the cloud
// settings at that moment.
//
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cloud/driver.h"
#include "cloud/ec2/ec2_driver.h"

namespace kraken::ec2 {

class Ec2DriverFactory {
 public:
  // `transport`: not owned, null for libcurl (tests pass their own).
  explicit Ec2DriverFactory(std::string agent_sha256, aws::HttpTransport* transport = nullptr)
      : agent_sha256_(std::move(agent_sha256)), transport_(transport) {}

  // The driver for a group with this `deployment`; a permanent error when the options are
  // invalid or no AWS account is configured.
  cloud::DriverResult<std::shared_ptr<cloud::Driver>> For(const Json& deployment,
                                                          const std::optional<AwsAccount>& account);

 private:
  const std::string agent_sha256_;
  aws::HttpTransport* transport_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Ec2Driver>> drivers_;  // by region + account; guarded
};

}  // namespace kraken::ec2
