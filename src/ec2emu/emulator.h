// The EC2 emulator: answers the EC2 Query API (2016-11-15) the way EC2 does, for the calls
// Kraken makes (RunInstances, DescribeInstances, TerminateInstances, DescribeRegions,
// DescribeInstanceTypeOfferings, DescribeImages), with EC2's XML and error documents and
// SigV4 authentication against the one access key it was given. Each instance goes
// pending -> running -> shutting-down -> terminated, and boots for real through a Booter
// (its user data runs). Faults are injected through a small admin API under /_emulator/.
//
// Instances are kept per region (the region of the request's signature), like EC2's
// regional endpoints. Owns its state; every call (HTTP handlers and timers) runs on the
// http::Loop it was given, so nothing here is locked. Not thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cloud/aws/aws_error.h"
#include "cloud/aws/ec2_types.h"
#include "cloud/aws/uri_encoding.h"
#include "core/json.h"
#include "ec2emu/booter.h"
#include "http/router.h"
#include "http/server.h"

namespace kraken::ec2emu {

struct EmulatorOptions {
  std::string access_key_id = "AKIAKRAKENEMULATOR01";
  std::string secret_access_key = "kraken-emulator-secret-access-key";
  std::vector<std::string> regions;  // empty: a fixed list of real region names
  std::string owner_id = "123456789012";
  int boot_ms = 0;        // time an instance stays pending before its user data runs
  int shutdown_ms = 200;  // time from shutting-down to terminated
  int64_t terminated_visible_ms = 3600'000;  // terminated instances stay listed (EC2: ~1 h)
  std::vector<std::string> windows_amis;     // images DescribeImages reports as Windows
};

// Faults to inject; counts go down as they are used. Set through POST /_emulator/faults.
struct Faults {
  int throttle = 0;                    // next N API calls: RequestLimitExceeded
  int64_t throttle_until_ms = 0;       // every API call until then: RequestLimitExceeded
  int capacity = 0;                    // next N RunInstances: InsufficientInstanceCapacity
  int slow_boot_ms = -1;               // >= 0 overrides EmulatorOptions::boot_ms
  int fail_boot = 0;                   // next N instances run, but their user data never does
  int fail_launch = 0;                 // next N instances go pending -> terminated (InternalError)
  std::set<std::string> unknown_amis;  // RunInstances answers InvalidAMIID.NotFound
};

// The region names served when none are configured, and the instance types offered in
// each (a fixed, real subset).
const std::vector<std::string>& DefaultRegions();
const std::vector<std::string>& InstanceTypes();

class Emulator {
 public:
  // `booter` must outlive the emulator.
  Emulator(http::Loop& loop, Booter& booter, EmulatorOptions options);
  ~Emulator();

  // POST / and GET / (the Query API), and the admin API under /_emulator/.
  void Register(http::Router& router);

  // One Query API request: authentication, then the action. Public for tests.
  http::Response HandleApi(const http::Request& request);

  // Admin operations (also reachable over HTTP).
  Json FaultsJson() const;
  Status SetFaults(const Json& body);  // merges; "interrupt": instance id does it now
  Json InstancesJson() const;
  Json StatsJson() const;
  Status Interrupt(const std::string& instance_id);

 private:
  // An instance and what EC2 knows about it beyond the Instance shape.
  struct Record {
    aws::Instance instance;
    std::string region;
    std::string reservation_id;
    std::string user_data;
    Json launch;  // the launch options as received, for the admin API
    int64_t launched_ms = 0, running_ms = 0, shutting_down_ms = 0, terminated_ms = 0;
    bool fail_launch = false, fail_boot = false;
    bool booted = false;                       // the Booter holds a machine for it
    std::string console;                       // kept from the machine when it halts
    std::unique_ptr<http::Loop::Timer> timer;  // the next state change
  };

  // What a RunInstances request asks for, validated as EC2 does.
  struct Launch {
    std::string image_id, type, subnet, user_data;
    int64_t count = 1;
    Json options = Json::object();  // as Record::launch
    std::vector<aws::Tag> tags;
  };
  static aws::Result<Launch> ParseLaunch(const aws::QueryParams& params);
  // Starts `launch.count` instances of one new reservation; its id.
  std::string LaunchInstances(const std::string& region, const Launch& launch,
                              const std::string& client_token);

  aws::Reservation ReservationOf(const std::string& reservation_id) const;

  aws::Result<std::string> Dispatch(const std::string& region, const aws::QueryParams& params);
  aws::Result<std::string> RunInstances(const std::string& region, const aws::QueryParams& params);
  aws::Result<std::string> DescribeInstances(const std::string& region,
                                             const aws::QueryParams& params);
  aws::Result<std::string> TerminateInstances(const std::string& region,
                                              const aws::QueryParams& params);
  aws::Result<std::string> DescribeRegions(const aws::QueryParams& params);
  aws::Result<std::string> DescribeInstanceTypeOfferings(const std::string& region,
                                                         const aws::QueryParams& params);
  aws::Result<std::string> DescribeImages(const aws::QueryParams& params);

  // State transitions, each stamped and counted.
  void SetState(Record& record, int code, const std::string& name);
  void StartBoot(Record& record);
  void BeginShutdown(Record& record, const std::string& reason_code,
                     const std::string& reason_message);
  void ForgetOldTerminated();
  void CountAlive();

  http::Loop& loop_;
  Booter& booter_;
  EmulatorOptions options_;
  Faults faults_;
  std::map<std::string, std::unique_ptr<Record>> instances_;  // by instance id
  std::vector<std::string> launch_order_;                     // instance ids, oldest first
  std::map<std::string, std::string> client_tokens_;          // token -> reservation id
  std::map<std::string, int64_t> calls_;                      // by action, answered or not
  std::map<std::string, int64_t> errors_;                     // by error code
  int max_active_ = 0;          // most instances pending or running at once
  int max_not_terminated_ = 0;  // most instances not yet terminated at once
};

}  // namespace kraken::ec2emu
