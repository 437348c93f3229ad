#include "cloud/ec2/ec2_driver_factory.h"

#include "cloud/aws/crypto.h"

namespace kraken::ec2 {

cloud::DriverResult<std::shared_ptr<cloud::Driver>> Ec2DriverFactory::For(
    const Json& deployment, const std::optional<AwsAccount>& account) {
  auto options = ParseEc2Options(deployment);
  if (!options)
    return tl::unexpected(
        cloud::DriverError{cloud::FailureClass::kPermanent, options.error().message, ""});
  if (!account || account->credentials.access_key_id.empty() ||
      account->credentials.secret_access_key.empty())
    return tl::unexpected(cloud::DriverError{
        cloud::FailureClass::kPermanent,
        "no AWS keys: set them under Settings → Cloud (PUT /api/v1/settings/cloud/aws)", ""});
  const aws::Credentials& c = account->credentials;
  // The secret enters the key only hashed: the map must not become a second copy of it.
  const std::string key = options->region + "\n" + account->endpoint + "\n" + c.access_key_id +
                          "\n" + aws::Sha256Hex(c.secret_access_key + "\n" + c.session_token);
  std::lock_guard lock(mu_);
  auto& driver = drivers_[key];
  if (!driver) {
    std::erase_if(drivers_, [&](const auto& kv) {
      return kv.second && kv.first.starts_with(options->region + "\n");  // stale keys
    });
    driver = std::make_shared<Ec2Driver>(
        Ec2DriverConfig{*account, options->region, agent_sha256_, transport_});
    drivers_[key] = driver;
  }
  return std::shared_ptr<cloud::Driver>(driver);
}

}  // namespace kraken::ec2
