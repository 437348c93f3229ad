// The `aws_ec2` driver of the autoscaler: each machine is an EC2 instance launched with
// RunInstances from the job's AMI (or the group's default AMI), booting with user data
// that installs and starts the agent with the machine's one-time registration token.
// Instances carry the tags kraken-server, kraken-group and kraken-machine, so List finds
// a group's instances with DescribeInstances filtered by tag.
//
// One driver serves one region with one set of credentials (see Ec2DriverFactory). Its
// calls block on EC2 and may come from several worker threads at once: each call borrows
// an HTTP transport of its own. Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cloud/aws/ec2_client.h"
#include "cloud/aws/http_transport.h"
#include "cloud/driver.h"
#include "cloud/ec2/ec2_options.h"

namespace kraken::ec2 {

// The account the driver acts as, from the server's cloud settings.
struct AwsAccount {
  aws::Credentials credentials;
  std::string endpoint;  // empty: AWS itself; else e.g. the EC2 emulator's URL
};

struct Ec2DriverConfig {
  AwsAccount account;
  std::string region;
  std::string agent_sha256;  // of the agent binary the server serves at /install/agent
  // Not owned; must be thread-safe. Null: a pool of CurlTransports.
  aws::HttpTransport* transport = nullptr;
};

// EC2's retry classes onto the autoscaler's.
cloud::FailureClass FailureClassOf(aws::ErrorKind kind);
cloud::DriverError ToDriverError(const aws::AwsError& error);

// The RunInstances request for a machine: pure, for tests and for Create.
aws::Result<aws::RunInstancesRequest> BuildRunInstances(const cloud::MachineSpec& spec,
                                                        const Ec2Options& options,
                                                        const aws::Image& image,
                                                        const std::string& agent_sha256);

class Ec2Driver : public cloud::Driver {
 public:
  explicit Ec2Driver(Ec2DriverConfig config);
  ~Ec2Driver() override;

  std::string method() const override { return "aws_ec2"; }
  cloud::DriverResult<std::string> Create(const cloud::MachineSpec& spec) override;
  cloud::DriverResult<void> Destroy(const std::string& driver_id) override;
  cloud::DriverResult<std::vector<cloud::DriverMachine>> List(const std::string& server_id,
                                                              Id group_id) override;

  const Ec2DriverConfig& config() const { return config_; }

 private:
  // A transport for one call, returned to the pool by the deleter.
  std::shared_ptr<aws::HttpTransport> Borrow();

  const Ec2DriverConfig config_;
  std::mutex mu_;
  std::vector<std::unique_ptr<aws::HttpTransport>> idle_;  // guarded by mu_
};

}  // namespace kraken::ec2
