#include "autoscale/drivers.h"

#include "autoscale/docker_driver.h"
#include "autoscale/fake_driver.h"
#include "autoscale/local_driver.h"

namespace kraken::autoscale {

void Drivers::Set(const std::string& method, std::shared_ptr<cloud::Driver> driver) {
  std::lock_guard lock(mu_);
  drivers_[method] = std::move(driver);
}

void Drivers::SetFactory(const std::string& method, Factory factory) {
  std::lock_guard lock(mu_);
  factories_[method] = std::move(factory);
}

cloud::DriverResult<std::shared_ptr<cloud::Driver>> Drivers::For(const Deployment& d) {
  std::lock_guard lock(mu_);
  std::string key = d.method == "docker" ? "docker " + d.docker.engine : d.method;
  if (auto it = drivers_.find(d.method); it != drivers_.end()) return it->second;
  if (auto it = drivers_.find(key); it != drivers_.end()) return it->second;
  if (auto it = factories_.find(d.method); it != factories_.end()) return it->second(d);
  std::shared_ptr<cloud::Driver> driver;
  if (d.method == "local") {
    driver = std::make_shared<LocalDriver>(binary_, machines_dir_, data_dir_);
  } else if (d.method == "fake") {
    driver = std::make_shared<FakeDriver>(
        std::make_shared<LocalDriver>(binary_, machines_dir_, data_dir_));
  } else if (d.method == "docker") {
    auto client = docker::DockerClient::Connect(d.docker.engine);
    if (!client)
      return tl::unexpected(
          cloud::DriverError{cloud::FailureClass::kPermanent, client.error().message, ""});
    driver = std::make_shared<DockerDriver>(std::move(*client), agent_binary_);
  } else {
    return tl::unexpected(cloud::DriverError{cloud::FailureClass::kPermanent,
                                             "no driver for method " + d.method + " in this server",
                                             ""});
  }
  drivers_[key] = driver;
  return driver;
}

}  // namespace kraken::autoscale
