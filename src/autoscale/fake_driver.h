// The `fake` driver, for tests: real local agents (it wraps the local driver) behind
// scripted faults read from the group's deployment at each call (`fake.transient_pct`,
// `fake.permanent`, `fake.boot_delay_ms`), so a test can break and mend a provider while
// the server runs. Only accepted when the server starts with --enable-fake-driver.
//
// Thread-safe: the random source is guarded.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <random>

#include "cloud/driver.h"

namespace kraken::autoscale {

class FakeDriver : public cloud::Driver {
 public:
  explicit FakeDriver(std::shared_ptr<cloud::Driver> inner, uint64_t seed = 42)
      : inner_(std::move(inner)), rng_(seed) {}

  std::string method() const override { return "fake"; }
  cloud::DriverResult<std::string> Create(const cloud::MachineSpec& spec) override;
  cloud::DriverResult<void> Destroy(const std::string& driver_id) override {
    return inner_->Destroy(driver_id);
  }
  cloud::DriverResult<std::vector<cloud::DriverMachine>> List(const std::string& server_id,
                                                              Id group_id) override {
    return inner_->List(server_id, group_id);
  }
  int64_t create_calls() const { return calls_; }

 private:
  std::shared_ptr<cloud::Driver> inner_;
  std::mutex mu_;
  std::mt19937_64 rng_;  // guarded by mu_
  std::atomic<int64_t> calls_{0};
};

}  // namespace kraken::autoscale
