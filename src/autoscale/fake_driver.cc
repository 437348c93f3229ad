#include "autoscale/fake_driver.h"

#include <thread>

#include "autoscale/deployment.h"

namespace kraken::autoscale {

cloud::DriverResult<std::string> FakeDriver::Create(const cloud::MachineSpec& spec) {
  ++calls_;
  auto d = ParseDeployment(spec.options, true);
  FakeOptions f = d ? d->fake : FakeOptions();
  if (f.boot_delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(f.boot_delay_ms));
  if (f.permanent)
    return tl::unexpected(cloud::DriverError{cloud::FailureClass::kPermanent,
                                             "image not found: fake-image", "ImageNotFound"});
  if (f.transient_pct > 0) {
    std::lock_guard lock(mu_);
    if (std::uniform_int_distribution<int>(1, 100)(rng_) <= f.transient_pct)
      return tl::unexpected(cloud::DriverError{cloud::FailureClass::kThrottled,
                                               "request limit exceeded", "RequestLimitExceeded"});
  }
  return inner_->Create(spec);
}

}  // namespace kraken::autoscale
