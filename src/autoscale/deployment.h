// An agents group's deployment: how its machines come to be (`method`) and the policy that
// creates and destroys them. Parsed from, and validated against, the group's `deployment`
// JSON; an error names the offending field (e.g. "deployment.instances_limit").
//
// Plain value type.
#pragma once

#include <string>

#include "core/error.h"
#include "core/json.h"

namespace kraken::autoscale {

struct DockerOptions {
  std::string engine = "unix:///var/run/docker.sock";
  std::string image;             // for jobs whose system is `any`
  std::string network = "host";  // so the agent reaches a server on 127.0.0.1
  Json env = Json::object();     // extra environment variables for the agent
  double cpus = 0;               // 0: no limit
  int64_t memory_mb = 0;         // 0: no limit
};

// Scripted failures of the `fake` method (tests only; it starts local agents).
struct FakeOptions {
  int transient_pct = 0;      // this share of creations fail as transient
  bool permanent = false;     // every creation fails as permanent
  int64_t boot_delay_ms = 0;  // the agent starts this long after creation
};

struct Deployment {
  std::string method = "manual";  // manual, local, docker, aws_ec2, kubernetes (fake in tests)
  int64_t instances_limit = 5;
  int64_t destroy_after_jobs = 0;          // 0: never
  double destroy_after_idle_minutes = 10;  // 0: never
  int64_t min_idle = 0;                    // the warm pool
  int64_t boot_timeout = 300;              // seconds from decision to registration
  std::string default_system = "any";
  DockerOptions docker;
  FakeOptions fake;
  Json raw = Json::object();  // as stored, for drivers with options of their own

  // Whether the autoscaler creates machines for this group.
  bool autoscaled() const { return method != "manual"; }
  // Machines created under a different fingerprint are drained and replaced.
  std::string Fingerprint() const;
};

// Parses and checks `json` (the group's `deployment`). `allow_fake` admits method `fake`.
Result<Deployment> ParseDeployment(const Json& json, bool allow_fake = false);

// Whether the server accepts method `fake` (set once at start-up, for tests).
void AllowFakeDriver(bool allow);
bool FakeDriverAllowed();

}  // namespace kraken::autoscale
