#include "protocol/agent_messages.h"

#include <algorithm>

namespace kraken::protocol {
namespace {

constexpr double kMaxRetryPauseSeconds = 24 * 3600;

Result<const Json*> Field(const Json& object, const char* name, bool (Json::*is_type)() const,
                          const char* type) {
  auto it = object.find(name);
  if (it == object.end())
    return Invalid(name, std::string("the message has no field '") + name + "'");
  if (!((*it).*is_type)())
    return Invalid(name, std::string("the message has a field '") + name + "' that is not " + type);
  return &*it;
}

// An optional field: nullptr when absent or null, an error when of another type.
Result<const Json*> OptionalField(const Json& object, const char* name,
                                  bool (Json::*is_type)() const, const char* type) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return nullptr;
  return Field(object, name, is_type, type);
}

Status ExpectObject(const Json& answer) {
  if (!answer.is_object()) return Invalid("body", "the message is not a JSON object");
  return {};
}

Result<Identity> ParseIdentity(const Json& answer, bool with_token) {
  KR_TRY(ExpectObject(answer));
  Identity id;
  KR_ASSIGN(const Json* agent_id,
            Field(answer, "agent_id", &Json::is_number_integer, "an integer"));
  id.agent_id = agent_id->get<int64_t>();
  if (with_token) {
    KR_ASSIGN(const Json* token, Field(answer, "token", &Json::is_string, "a string"));
    id.token = token->get<std::string>();
  }
  KR_ASSIGN(const Json* authorized,
            OptionalField(answer, "authorized", &Json::is_boolean, "a boolean"));
  id.authorized = authorized && authorized->get<bool>();
  KR_ASSIGN(const Json* wait,
            OptionalField(answer, "poll_wait_ms", &Json::is_number_integer, "an integer"));
  if (wait) {
    // The server accepts a poll's wait up to two minutes.
    int64_t ms = wait->get<int64_t>();
    if (ms < 0) return Invalid("poll_wait_ms", "the server sent a negative poll wait");
    id.poll_wait_ms = std::min<int64_t>(ms, 120'000);
  }
  return id;
}

Result<StepDispatch> ParseStep(const Json& step) {
  StepDispatch s;
  KR_ASSIGN(const Json* index, Field(step, "index", &Json::is_number_integer, "an integer"));
  s.index = index->get<int64_t>();
  KR_ASSIGN(const Json* tool, OptionalField(step, "tool", &Json::is_string, "a string"));
  if (tool) s.tool = tool->get<std::string>();
  KR_ASSIGN(const Json* name, OptionalField(step, "name", &Json::is_string, "a string"));
  if (name) s.name = name->get<std::string>();
  KR_ASSIGN(const Json* fields, OptionalField(step, "fields", &Json::is_object, "an object"));
  if (fields) s.fields = *fields;
  // Values of the wrong type keep the defaults, as the stage schema already checked them.
  if (auto attempts = s.fields.find("attempts");
      attempts != s.fields.end() && attempts->is_number_integer())
    s.attempts =
        attempts->is_number_unsigned()
            ? static_cast<int64_t>(std::clamp<uint64_t>(attempts->get<uint64_t>(), 1, 1'000'000))
            : std::clamp<int64_t>(attempts->get<int64_t>(), 1, 1'000'000);
  if (auto pause = s.fields.find("sleep_time_after_attempt");
      pause != s.fields.end() && pause->is_number())
    s.retry_pause = std::chrono::milliseconds(
        static_cast<int64_t>(std::clamp(pause->get<double>(), 0.0, kMaxRetryPauseSeconds) * 1000));
  KR_ASSIGN(const Json* secrets, OptionalField(step, "secrets", &Json::is_array, "a list"));
  if (secrets) {
    for (const Json& secret : *secrets) {
      if (!secret.is_string())
        return Invalid("secrets", "the server sent a secret that is not a string");
      s.secrets.push_back(secret.get<std::string>());
    }
  }
  return s;
}

}  // namespace

Result<Identity> ParseRegisterAnswer(const Json& answer) { return ParseIdentity(answer, true); }

Result<Identity> ParseHelloAnswer(const Json& answer) { return ParseIdentity(answer, false); }

Result<JobDispatch> ParseDispatch(const Json& answer) {
  KR_TRY(ExpectObject(answer));
  JobDispatch d;
  KR_ASSIGN(const Json* job, Field(answer, "job", &Json::is_object, "an object"));
  KR_ASSIGN(const Json* id, Field(*job, "id", &Json::is_number_integer, "an integer"));
  d.job_id = id->get<int64_t>();
  KR_ASSIGN(const Json* name, OptionalField(*job, "name", &Json::is_string, "a string"));
  if (name) d.job_name = name->get<std::string>();
  KR_ASSIGN(const Json* run_id,
            OptionalField(*job, "run_id", &Json::is_number_integer, "an integer"));
  if (run_id) d.run_id = run_id->get<int64_t>();
  KR_ASSIGN(const Json* system, OptionalField(*job, "system", &Json::is_string, "a string"));
  if (system) d.system = system->get<std::string>();
  KR_ASSIGN(const Json* executor, OptionalField(*job, "executor", &Json::is_string, "a string"));
  if (executor) d.executor = executor->get<std::string>();
  KR_ASSIGN(const Json* container, OptionalField(*job, "container", &Json::is_string, "a string"));
  if (container) d.container = container->get<std::string>();
  KR_ASSIGN(const Json* attempt,
            OptionalField(*job, "attempt", &Json::is_number_integer, "an integer"));
  if (attempt) d.attempt = attempt->get<int64_t>();
  KR_ASSIGN(const Json* timeout,
            OptionalField(*job, "timeout", &Json::is_number_integer, "an integer"));
  if (timeout) {
    // Beyond a year a deadline would overflow the clock; no job is meant to run that long.
    d.timeout_seconds = timeout->get<int64_t>();
    if (d.timeout_seconds < 0 || d.timeout_seconds > 366LL * 24 * 3600)
      return Invalid("timeout", "the server sent a job timeout out of range");
  }
  KR_ASSIGN(const Json* step, OptionalField(answer, "step", &Json::is_object, "an object"));
  if (step) {
    KR_ASSIGN(d.step, ParseStep(*step));
  }
  KR_ASSIGN(const Json* env, OptionalField(answer, "env", &Json::is_object, "an object"));
  if (env) d.env = *env;
  return d;
}

Result<std::optional<JobDispatch>> ParsePollAnswer(const Json& answer) {
  KR_TRY(ExpectObject(answer));
  auto job = answer.find("job");
  if (job == answer.end() || job->is_null()) return std::optional<JobDispatch>();
  KR_ASSIGN(JobDispatch d, ParseDispatch(answer));
  return std::optional<JobDispatch>(std::move(d));
}

Result<bool> ParseWatchAnswer(const Json& answer) {
  KR_TRY(ExpectObject(answer));
  KR_ASSIGN(const Json* cancel, OptionalField(answer, "cancel", &Json::is_boolean, "a boolean"));
  KR_ASSIGN(const Json* done, OptionalField(answer, "done", &Json::is_boolean, "a boolean"));
  return (cancel && cancel->get<bool>()) || (done && done->get<bool>());
}

Json ToJson(const Identity& identity) {
  Json j = {{"agent_id", identity.agent_id}, {"authorized", identity.authorized}};
  if (!identity.token.empty()) j["token"] = identity.token;
  if (identity.poll_wait_ms) j["poll_wait_ms"] = *identity.poll_wait_ms;
  return j;
}

Json ToJson(const JobDispatch& d) {
  Json job = {{"id", d.job_id},      {"name", d.job_name},
              {"run_id", d.run_id},  {"timeout", d.timeout_seconds},
              {"system", d.system},  {"executor", d.executor},
              {"attempt", d.attempt}};
  if (!d.container.empty()) job["container"] = d.container;
  if (!d.step) return Json{{"job", std::move(job)}, {"step", nullptr}, {"done", true}};
  // `attempts` and `retry_pause` travel in the fields they are read from.
  Json step = {{"index", d.step->index},
               {"tool", d.step->tool},
               {"name", d.step->name},
               {"fields", d.step->fields}};
  if (!d.step->secrets.empty()) step["secrets"] = d.step->secrets;
  return Json{{"job", std::move(job)}, {"step", std::move(step)}, {"env", d.env}, {"done", false}};
}

Json IdlePollAnswer(bool authorized) { return Json{{"job", nullptr}, {"authorized", authorized}}; }

Json WatchAnswer(bool cancel, bool done) {
  Json j = {{"cancel", cancel}};
  if (done) j["done"] = true;
  return j;
}

Json ToJson(const StepReport& report) {
  Json j = {{"status", report.ok ? "done" : "error"},
            {"reason", report.reason},
            {"message", report.message}};
  if (report.retcode) j["retcode"] = *report.retcode;
  return j;
}

Result<StepReport> ParseStepReport(const Json& body) {
  KR_TRY(ExpectObject(body));
  StepReport report;
  KR_ASSIGN(const Json* status, Field(body, "status", &Json::is_string, "a string"));
  const std::string& text = status->get_ref<const std::string&>();
  if (text != "done" && text != "error") return Invalid("status", "must be done or error");
  report.ok = text == "done";
  KR_ASSIGN(const Json* retcode,
            OptionalField(body, "retcode", &Json::is_number_integer, "an integer"));
  if (retcode) report.retcode = retcode->get<int64_t>();
  KR_ASSIGN(const Json* reason, OptionalField(body, "reason", &Json::is_string, "a string"));
  if (reason) report.reason = reason->get<std::string>();
  KR_ASSIGN(const Json* message, OptionalField(body, "message", &Json::is_string, "a string"));
  if (message) report.message = message->get<std::string>();
  return report;
}

Json ToJson(const LogBatch& batch) {
  return Json{{"step", batch.step}, {"seq", batch.seq}, {"data", batch.data}};
}

Result<LogBatch> ParseLogBatch(const Json& body) {
  KR_TRY(ExpectObject(body));
  LogBatch batch;
  KR_ASSIGN(const Json* step, Field(body, "step", &Json::is_number_integer, "a step index"));
  KR_ASSIGN(const Json* seq, Field(body, "seq", &Json::is_number_integer, "a sequence number"));
  KR_ASSIGN(const Json* data, Field(body, "data", &Json::is_string, "a string"));
  batch.step = step->get<int64_t>();
  batch.seq = seq->get<int64_t>();
  batch.data = data->get<std::string>();
  return batch;
}

std::string RefusalMessage(std::string_view body) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::string(body);
  auto error = j.find("error");
  if (error == j.end() || !error->is_object()) return std::string(body);
  auto message = error->find("message");
  if (message == error->end() || !message->is_string()) return std::string(body);
  return message->get<std::string>();
}

}  // namespace kraken::protocol
