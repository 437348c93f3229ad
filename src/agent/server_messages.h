// The answers the agent reads from the server (docs/agent-protocol.md), checked as they
// arrive: a malformed answer (a field missing or of the wrong type) is an Error naming the
// field, never an exception that would end the agent. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace kraken::agent {

// The answer to register (token set) or hello (token empty).
struct Identity {
  int64_t agent_id = 0;
  std::string token;
  bool authorized = false;
  std::optional<int64_t> poll_wait_ms;
};
Result<Identity> ParseRegisterAnswer(const Json& answer);
Result<Identity> ParseHelloAnswer(const Json& answer);

struct StepDispatch {
  int64_t index = 0;
  std::string tool;
  std::string name;
  Json fields = Json::object();
  std::vector<std::string> secrets;  // values to mask in the step's log
  // From the fields `attempts` (at least 1) and `sleep_time_after_attempt` (seconds, at most
  // a day): how often the agent runs a failing step, and the pause between two runs.
  int64_t attempts = 1;
  std::chrono::milliseconds retry_pause{0};
};

// A job handed to the agent by a poll, and each step-finish answer: the next step, or none
// when the job is done.
struct JobDispatch {
  int64_t job_id = 0;
  std::string job_name;
  int64_t timeout_seconds = 300;
  std::optional<StepDispatch> step;
  Json env = Json::object();
};
// A poll answer: nullopt when it hands out no job ({"job": null}).
Result<std::optional<JobDispatch>> ParsePollAnswer(const Json& answer);
Result<JobDispatch> ParseDispatch(const Json& answer);

// A job watch answer: true when the job must stop ("cancel" or "done").
Result<bool> ParseWatchAnswer(const Json& answer);

// The message of a refusal (4xx) body {"error": {"message": ...}}, or the body itself when it
// is not that document.
std::string RefusalMessage(std::string_view body);

}  // namespace kraken::agent
