// A machine of an autoscaled agents group, as the autoscaler records it: one row from the
// decision to create it until it is gone. Its state machine:
//
//   requested → provisioning → booting → idle ⇄ busy → draining → terminating → gone
//                     ↘ failed (creation refused)      (any live state → terminating)
//
// Every state but gone and failed counts against the group's instances limit, so a machine
// is counted from the moment it is decided until the provider confirms it is destroyed.
// Plain value type.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/entities.h"
#include "core/json.h"

namespace kraken::autoscale {

enum class MachineState {
  kRequested,     // decided and recorded; the driver has not been called yet
  kProvisioning,  // the driver's create call is under way
  kBooting,       // the provider accepted it; its agent has not registered yet
  kIdle,          // its agent is registered and has no job
  kBusy,          // its agent has a job
  kDraining,      // takes no new job; destroyed once its job ends
  kTerminating,   // the driver's destroy call is due or under way
  kGone,          // destroyed (or found vanished)
  kFailed,        // the provider refused to create it
};

std::string_view Name(MachineState s);
std::optional<MachineState> ParseMachineState(std::string_view s);
// Counted against the limit: every state but gone and failed.
bool IsAlive(MachineState s);
// Created or being created, but not yet serving: supply that is on its way.
bool IsComing(MachineState s);

struct Machine {
  Id id = 0;
  Id group_id = 0;
  std::string system = "any";
  MachineState state = MachineState::kRequested;
  std::string driver_id;        // the provider's id, once it accepted the machine
  std::string method;           // the driver that made it
  std::string deployment_hash;  // Deployment::Fingerprint() at decision time
  std::optional<Id> agent_id;   // set when its agent registers
  int64_t job_count = 0;
  std::string token_hash;  // of its one-time registration token
  std::string last_error;
  Millis boot_deadline = 0;  // destroyed if its agent has not registered by then
  Millis idle_since = 0;
  Millis queued_at = 0;              // when the oldest job it was made for was queued
  Json transitions = Json::array();  // [[state, time, why], ...]
  Millis created = 0, updated = 0;

  std::string name() const { return "m-" + std::to_string(id); }
  // Moves to `to`, stamping the transition and why it happened.
  void MoveTo(MachineState to, Millis now, const std::string& why = "");
  // When it entered `s` last, or 0.
  Millis EnteredAt(MachineState s) const;
};

Json ToJson(const Machine& m, Millis now);

}  // namespace kraken::autoscale
