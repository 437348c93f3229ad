// The messages of the agent protocol (docs/agent-protocol.md) as types, each with its JSON
// form both ways: the server writes what the agent reads and the agent writes what the
// server reads through the same functions, so the two cannot drift apart. Reading checks as
// it goes: a malformed message (a field missing, of the wrong type or out of range) is an
// Error naming the field, never an exception. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace kraken::protocol {

// The answer to register (with the agent's token) and to hello (without).
struct Identity {
  int64_t agent_id = 0;
  std::string token;
  bool authorized = false;
  std::optional<int64_t> poll_wait_ms;
};
Json ToJson(const Identity& identity);
Result<Identity> ParseRegisterAnswer(const Json& answer);
Result<Identity> ParseHelloAnswer(const Json& answer);

struct StepDispatch {
  int64_t index = 0;
  std::string tool;
  std::string name;
  Json fields = Json::object();
  std::vector<std::string> secrets;  // values to mask in the step's log
  // Read from the fields `attempts` (at least 1) and `sleep_time_after_attempt` (seconds, at
  // most a day): how often the agent runs a failing step, and the pause between two runs.
  int64_t attempts = 1;
  std::chrono::milliseconds retry_pause{0};
};

// A job handed to the agent by a poll, and each step-finish answer: the next step, or none
// when the job is done.
struct JobDispatch {
  int64_t job_id = 0;
  std::string job_name;
  int64_t run_id = 0;
  int64_t timeout_seconds = 300;
  std::string system;
  std::string executor;
  // The image the agent runs the job in, in a container it makes itself: set for a job of
  // executor docker on an agent installed by hand (with a container engine); "" otherwise
  // (a machine of a docker group already is the container).
  std::string container;
  int64_t attempt = 1;
  std::optional<StepDispatch> step;
  Json env = Json::object();
};
Json ToJson(const JobDispatch& dispatch);
Result<JobDispatch> ParseDispatch(const Json& answer);

// A poll answer: a job, or none ({"job": null}) with whether the agent is authorized.
Json IdlePollAnswer(bool authorized);
Result<std::optional<JobDispatch>> ParsePollAnswer(const Json& answer);

// A job watch answer: true when the job must stop: cancelled, or over ("done": the agent
// may take the next job at once).
Json WatchAnswer(bool cancel, bool done = false);
Result<bool> ParseWatchAnswer(const Json& answer);

// The agent's report of a step's end.
struct StepReport {
  bool ok = true;  // "done"; false: "error"
  std::optional<int64_t> retcode;
  std::string reason;  // exit-code, step-timeout, job-timeout, agent-error, cancelled
  std::string message;
};
Json ToJson(const StepReport& report);
Result<StepReport> ParseStepReport(const Json& body);

// A batch of a step's log: the bytes after the batch `seq - 1` of that step.
struct LogBatch {
  int64_t step = 0;
  int64_t seq = 0;
  std::string data;
};
Json ToJson(const LogBatch& batch);
Result<LogBatch> ParseLogBatch(const Json& body);

// The message of a refusal (4xx) body {"error": {"message": ...}}, or the body itself when it
// is not that document.
std::string RefusalMessage(std::string_view body);

}  // namespace kraken::protocol
