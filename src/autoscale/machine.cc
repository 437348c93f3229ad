#include "autoscale/machine.h"

#include <array>

namespace kraken::autoscale {

namespace {

constexpr std::array<std::string_view, 9> kNames = {"requested",   "provisioning", "booting",
                                                    "idle",        "busy",         "draining",
                                                    "terminating", "gone",         "failed"};

}  // namespace

std::string_view Name(MachineState s) { return kNames[static_cast<size_t>(s)]; }

std::optional<MachineState> ParseMachineState(std::string_view s) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == s) return static_cast<MachineState>(i);
  return std::nullopt;
}

bool IsAlive(MachineState s) { return s != MachineState::kGone && s != MachineState::kFailed; }

bool IsComing(MachineState s) {
  return s == MachineState::kRequested || s == MachineState::kProvisioning ||
         s == MachineState::kBooting;
}

void Machine::MoveTo(MachineState to, Millis now, const std::string& why) {
  if (to == state && !transitions.empty()) return;
  state = to;
  updated = now;
  transitions.push_back(Json::array({std::string(Name(to)), now, why}));
}

Millis Machine::EnteredAt(MachineState s) const {
  for (auto it = transitions.rbegin(); it != transitions.rend(); ++it)
    if ((*it)[0] == Name(s)) return (*it)[1].get<Millis>();
  return 0;
}

Json ToJson(const Machine& m, Millis now) {
  Json j = {{"id", m.id},
            {"name", m.name()},
            {"group_id", m.group_id},
            {"system", m.system},
            {"state", std::string(Name(m.state))},
            {"driver_id", m.driver_id},
            {"method", m.method},
            {"agent_id", m.agent_id ? Json(*m.agent_id) : Json(nullptr)},
            {"job_count", m.job_count},
            {"last_error", m.last_error},
            {"created", m.created},
            {"updated", m.updated},
            {"age_s", (now - m.created) / 1000},
            {"in_state_s", (now - m.updated) / 1000},
            {"transitions", m.transitions}};
  return j;
}

}  // namespace kraken::autoscale
