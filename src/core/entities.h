// The records Kraken keeps: Project → Branch → Stage, executed as Flow → Run → Job → Step;
// Agents in AgentsGroups; Users. Plain value types mirroring database rows, each with its
// API JSON form. Times are milliseconds since the epoch (0 = not yet).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/states.h"

namespace kraken {

using Id = int64_t;

struct Project {
  Id id = 0;
  std::string name;
  std::string description;
  Millis created = 0;
};

struct Branch {
  Id id = 0;
  Id project_id = 0;
  std::string name;           // display name
  std::string branch_name;    // the repository branch it follows
  Json env = Json::object();  // environment variables for every step
  int64_t flow_seq = 0, ci_seq = 0, dev_seq = 0;
  Millis created = 0;
};

struct Stage {
  Id id = 0;
  Id branch_id = 0;
  std::string name;
  std::string description;
  bool enabled = true;
  std::string schema_format = "json";  // "json", "yaml" or "starlark"
  std::string schema_code;             // as written
  Json schema = Json::object();        // evaluated and validated at save
  Millis created = 0, updated = 0;
};

struct Flow {
  Id id = 0;
  Id branch_id = 0;
  FlowKind kind = FlowKind::kCi;
  FlowState state = FlowState::kInProgress;
  int64_t seq = 0;       // shared by CI and DEV flows of the branch
  int64_t kind_seq = 0;  // own sequence of this kind
  std::string label;
  Json args = Json::object();
  Json data = Json::object();
  Millis created = 0, finished = 0;
};

struct Run {
  Id id = 0;
  Id flow_id = 0;
  Id stage_id = 0;
  std::string stage_name;
  RunState state = RunState::kCreating;
  Json args = Json::object();
  std::string label;
  Json reason = Json::object();
  // The stage as evaluated for this run: written by Store::CreateRun, read back only
  // through Store::GetRunSchema (GetRun and ListRuns leave it empty).
  Json schema = Json::object();
  std::string note;
  int64_t jobs_total = 0, jobs_error = 0;
  Millis created = 0, started = 0, finished = 0;
};

struct Job {
  Id id = 0;
  Id run_id = 0;
  std::string name;
  JobState state = JobState::kQueued;
  CompletionStatus completion = CompletionStatus::kNone;
  Id group_id = 0;
  std::string group_name;
  std::string system = "any";
  std::string executor = "local";
  int64_t timeout = 300;  // seconds
  std::optional<Id> agent_id;
  int64_t attempt = 1;
  int64_t max_retries = 1;  // re-queues allowed when the agent is lost
  bool covered = false;     // superseded by a rerun
  Json env = Json::object();
  std::string wait_reason;
  std::string notes;
  Millis created = 0, assigned = 0, started = 0, finished = 0, completed = 0;
};

struct Step {
  Id id = 0;
  Id job_id = 0;
  int64_t index = 0;
  std::string tool;
  std::string name;
  Json fields = Json::object();  // tool fields as given in the schema
  std::string when = "was_no_error";
  StepStatus status = StepStatus::kNotStarted;
  std::optional<int64_t> retcode;
  std::string reason;  // why it erred: "exit-code", "step-timeout", "job-timeout", ...
  std::string message;
  Millis started = 0, finished = 0;
};

struct Agent {
  Id id = 0;
  std::string name;
  bool authorized = false;
  bool disabled = false;
  Json host_info = Json::object();
  std::string system;  // "<distro>-<version>" as reported
  Millis last_seen = 0;
  bool lost = false;
  std::optional<Id> job_id;
  std::optional<Id> machine_id;
  Millis created = 0;
  std::vector<Id> group_ids;
};

struct AgentsGroup {
  Id id = 0;
  std::string name;
  std::optional<Id> project_id;
  Json deployment = Json{{"method", "manual"}};
  Millis created = 0;
};

struct User {
  Id id = 0;
  std::string name;
  std::string password_hash;
  bool is_admin = false;
  Millis created = 0;
};

Json ToJson(const Project& v);
Json ToJson(const Branch& v);
Json ToJson(const Stage& v);
Json ToJson(const Flow& v);
Json ToJson(const Run& v);
Json ToJson(const Job& v);
Json ToJson(const Step& v);
Json ToJson(const Agent& v);
Json ToJson(const AgentsGroup& v);
Json ToJson(const User& v);

}  // namespace kraken
