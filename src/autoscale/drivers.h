// Which driver serves a deployment: one instance per method (and per Docker engine
// address), made on first use and shared by every group that uses it.
//
// Thread-safe; drivers are shared with the worker threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "autoscale/deployment.h"
#include "autoscale/driver.h"

namespace kraken::autoscale {

class Drivers {
 public:
  // `kraken_binary`: what local and container agents run; `machines_dir`: local work dirs.
  Drivers(std::string kraken_binary, std::string machines_dir)
      : binary_(std::move(kraken_binary)), machines_dir_(std::move(machines_dir)) {}

  // Replaces the driver of `method` (tests and benchmarks).
  void Set(const std::string& method, std::shared_ptr<Driver> driver);
  // Makes the drivers of a method built outside this module (aws_ec2). The factory is
  // asked on every For() of that method, on the caller's thread, and does its own sharing.
  using Factory = std::function<DriverResult<std::shared_ptr<Driver>>(const Deployment&)>;
  void SetFactory(const std::string& method, Factory factory);
  // The driver for `d`, or a permanent error (a method with no driver in this build).
  DriverResult<std::shared_ptr<Driver>> For(const Deployment& d);

 private:
  std::string binary_, machines_dir_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Driver>> drivers_;  // guarded by mu_
  std::map<std::string, Factory> factories_;                 // guarded by mu_
};

}  // namespace kraken::autoscale
