#include "server/aws_ec2_setup.h"

#include <memory>

#include "cloud/ec2/aws_accounts.h"
#include "cloud/ec2/ec2_driver_factory.h"

namespace kraken::server {

void RegisterAwsEc2Driver(autoscale::Drivers& drivers, store::Store& store,
                          const std::string& data_dir, const std::string& agent_sha256) {
  auto box = std::make_shared<Result<settings::SecretBox>>(
      settings::SecretBox::LoadOrCreate(data_dir + "/server.key"));
  // Machines download kraken-agent from /install/agent and check it against this.
  auto factory = std::make_shared<ec2::Ec2DriverFactory>(agent_sha256);
  drivers.SetFactory(
      "aws_ec2",
      [&store, box, factory](
          const autoscale::Deployment& d) -> cloud::DriverResult<std::shared_ptr<cloud::Driver>> {
        if (!*box)
          return tl::unexpected(
              cloud::DriverError{cloud::FailureClass::kPermanent, (*box).error().message, ""});
        ec2::CloudAccounts accounts(store.db(), **box);
        auto saved = accounts.GetAws();
        if (!saved)
          return tl::unexpected(
              cloud::DriverError{cloud::FailureClass::kTransient,
                                 "cannot read the AWS settings: " + saved.error().message, ""});
        std::optional<ec2::AwsAccount> account;
        if (*saved) account = (*saved)->Account();
        return factory->For(d.raw, account);
      });
}

}  // namespace kraken::server
