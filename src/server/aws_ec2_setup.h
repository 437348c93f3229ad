// Wires the `aws_ec2` driver into the autoscaler's driver registry: each group's driver is
// made from its deployment and the AWS account saved under Settings → Cloud, read (and its
// secrets opened with the server's key) when the autoscaler asks, so new keys take effect
// at once. The factory reads the database: the autoscaler calls it on the event loop.
#pragma once

#include <string>

#include "autoscale/drivers.h"
#include "store/store.h"

namespace kraken::server {

// `store` must outlive `drivers`. `agent_sha256`: of the kraken-agent at /install/agent,
// which machines check their download against.
void RegisterAwsEc2Driver(autoscale::Drivers& drivers, store::Store& store,
                          const std::string& data_dir, const std::string& agent_sha256);

}  // namespace kraken::server
