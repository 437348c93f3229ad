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
#include "cloud/driver.h"

namespace kraken::autoscale {

class Drivers {
 public:
  // `kraken_binary`: what local agents run (`kraken agent`); `machines_dir`: local work
  // dirs; `agent_binary`: the static kraken-agent that container agents run (empty: none).
  // `data_dir`: the server's, which local agents must not see.
  Drivers(std::string kraken_binary, std::string machines_dir, std::string agent_binary = {},
          std::string data_dir = {})
      : binary_(std::move(kraken_binary)),
        machines_dir_(std::move(machines_dir)),
        agent_binary_(std::move(agent_binary)),
        data_dir_(std::move(data_dir)) {}

  // Replaces the driver of `method` (tests and benchmarks).
  void Set(const std::string& method, std::shared_ptr<cloud::Driver> driver);
  // Makes the drivers of a method built outside this module (aws_ec2). The factory is
  // asked on every For() of that method, on the caller's thread, and does its own sharing.
  using Factory =
      std::function<cloud::DriverResult<std::shared_ptr<cloud::Driver>>(const Deployment&)>;
  void SetFactory(const std::string& method, Factory factory);
  // The driver for `d`, or a permanent error (a method with no driver in this build).
  cloud::DriverResult<std::shared_ptr<cloud::Driver>> For(const Deployment& d);

 private:
  std::string binary_, machines_dir_, agent_binary_, data_dir_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<cloud::Driver>> drivers_;  // guarded by mu_
  std::map<std::string, Factory> factories_;                       // guarded by mu_
};

}  // namespace kraken::autoscale
