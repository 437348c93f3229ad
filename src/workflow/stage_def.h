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
  Json fields = Json::object();  // every key except the common ones below
  std::string when = "was_no_error";
};

struct EnvironmentDef {
  std::vector<std::string> systems;  // one job per system
  std::string agents_group = "all";
  std::string executor = "local";
  std::string config;
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
  bool trigger_parent = true;  // start when the parent run ends without erred jobs
  bool trigger_manual = false;
  std::vector<ParameterDef> parameters;
  std::vector<JobDef> jobs;
  std::optional<int64_t> timeout;  // whole-run timeout, seconds
  std::string flow_label, run_label;
};

// Parses and checks an evaluated stage dict.
Result<StageDef> ParseStage(const Json& schema);

// Parameter defaults as a JSON object, for the new-flow form and arg merging.
Json ParameterDefaults(const StageDef& stage);

}  // namespace kraken::workflow
