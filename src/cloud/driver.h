// A cloud driver: how the autoscaler creates, destroys and lists one kind of machine
// (local agent processes, Docker containers, EC2 instances, ...). Drivers are small and
// speak their provider's real API; everything about policy lives in the autoscaler.
//
// Calls block (they talk to a provider) and are made off the server's event loop, from the
// autoscaler's worker threads; an implementation must be safe to call from several threads.
#pragma once

#include <map>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "core/entities.h"
#include "core/json.h"

namespace kraken::cloud {

// How a failed call should be treated: transient and throttled calls are retried with
// backoff; capacity means "not now" (jobs wait); permanent marks the group failing.
enum class FailureClass { kTransient, kThrottled, kCapacity, kPermanent };

struct DriverError {
  FailureClass failure = FailureClass::kTransient;
  std::string message;  // for people: shown as the group's and the jobs' wait reason
  std::string code;     // the provider's error code, if any
};

template <typename T>
using DriverResult = tl::expected<T, DriverError>;

// Tag (label) names every machine carries, so orphans can be found and swept.
inline constexpr const char* kTagServer = "kraken-server";
inline constexpr const char* kTagGroup = "kraken-group";
inline constexpr const char* kTagMachine = "kraken-machine";

struct MachineSpec {
  Id machine_id = 0;
  std::string server_id;  // this server's id (setting `server_id`)
  Id group_id = 0;
  std::string group_name;
  std::string system;              // what the job asked for: image, AMI id, or "any"
  std::string registration_token;  // one-time, bound to this machine
  std::string server_url;          // where the machine's agent connects
  std::string server_fingerprint;  // the agent pins this certificate (empty: verifies it)
  Json options = Json::object();   // the group's deployment options
  bool one_job = false;            // the agent exits after one job (single-use machines)
};

struct DriverMachine {
  std::string driver_id;  // the provider's id (pid, container id, instance id)
  std::map<std::string, std::string> tags;
  std::string state;  // "pending", "running", "stopping", "gone"
};

class Driver {
 public:
  virtual ~Driver() = default;
  virtual std::string method() const = 0;
  // Starts a machine whose agent registers with spec.registration_token; returns its id.
  virtual DriverResult<std::string> Create(const MachineSpec& spec) = 0;
  // Destroys it; destroying a machine that is already gone succeeds.
  virtual DriverResult<void> Destroy(const std::string& driver_id) = 0;
  // Every machine this server's group has at the provider, found by tags.
  virtual DriverResult<std::vector<DriverMachine>> List(const std::string& server_id,
                                                        Id group_id) = 0;
};

}  // namespace kraken::cloud
