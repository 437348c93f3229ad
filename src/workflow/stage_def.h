// A stage's schema (the Kraken CI workflow dict: parent, triggers, parameters, jobs, ...)
// parsed into typed definitions, with errors that name the offending path
// ("jobs[2].steps[0].tool: ..."). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace kraken::workflow {

struct StepDef {
  std::string tool;
  std::string name;
  Json fields = Json::object();  // every key except tool, name and when
  std::string when = "was_no_error";
  int64_t attempts = 1;                  // runs of the step while it errs
  int64_t sleep_time_after_attempt = 0;  // seconds between attempts
};

struct EnvironmentDef {
  std::vector<std::string> systems;  // one job per system
  std::string agents_group = "all";
  std::string executor = "local";
  std::vector<std::string> configs;  // one job per config name; empty: no config
};

// A named set of variables (`configs` item): passed to steps as environment variables and
// as ctx.config.
struct ConfigDef {
  std::string name;
  Json vars = Json::object();
};

struct RepoDef {
  std::string url;
  std::string branch;
};

struct TriggersDef {
  bool parent = true;               // start when the parent run ends without erred jobs
  bool manual = false;              // the run waits in manual state until started through the API
  std::optional<int64_t> interval;  // seconds
  std::optional<int64_t> date;      // ms since the epoch, UTC
  std::string cron;                 // 5 fields, UTC
  std::vector<RepoDef> repos;       // repo trigger: poll these for new commits
  int64_t repo_interval = 300;      // seconds between polls
  Json git_cfg = Json::object();
};

struct JobDef {
  std::string name;
  int64_t timeout = 300;  // seconds
  std::vector<StepDef> steps;
  std::vector<EnvironmentDef> environments;
};

struct ParameterDef {
  std::string name;
  std::string type = "string";
  Json default_value = "";
  std::string description;
};

struct StageDef {
  std::string parent = "root";
  bool trigger_parent = true;   // = triggers.parent
  bool trigger_manual = false;  // = triggers.manual
  TriggersDef triggers;
  std::vector<ParameterDef> parameters;
  std::vector<ConfigDef> configs;
  Json notification = Json::object();
  std::vector<JobDef> jobs;
  std::optional<int64_t> timeout;  // whole-run timeout, seconds
  std::string flow_label, run_label;
};

// Parses and checks an evaluated stage dict. Shapes are checked by the workflow JSON schema
// (stage_schema.h); this adds the semantic checks (unique job names, valid durations, cron
// and dates) and reads the values.
Result<StageDef> ParseStage(const Json& schema);

// The config called `name`, or nullptr: a name that no config defines adds nothing (Kraken CI
// files write "config": "default" with "configs": []).
const ConfigDef* FindConfig(const StageDef& stage, const std::string& name);

// Parameter defaults as a JSON object, for the new-flow form and arg merging.
Json ParameterDefaults(const StageDef& stage);

}  // namespace kraken::workflow
