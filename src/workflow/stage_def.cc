#include "workflow/stage_def.h"

#include <fmt/format.h>

#include <set>

namespace kraken::workflow {
namespace {

const std::set<std::string> kTopKeys = {"parent", "triggers", "parameters", "configs", "jobs",
                                        "notification", "flow_label", "run_label", "timeout"};
const std::set<std::string> kJobKeys = {"name", "timeout", "steps", "environments"};
const std::set<std::string> kEnvKeys = {"system", "agents_group", "executor", "config"};
const std::set<std::string> kCommonStepKeys = {"tool", "name", "when", "attempts",
                                               "sleep_time_after_attempt"};

std::string TypeName(const Json& j) { return j.type_name(); }

Status CheckKeys(const Json& obj, const std::set<std::string>& allowed, const std::string& path) {
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (!allowed.count(it.key()))
      return Invalid(path.empty() ? it.key() : path + "." + it.key(), "unknown field");
  return {};
}

Result<std::string> String(const Json& obj, const char* key, const std::string& path,
                           std::optional<std::string> fallback) {
  auto it = obj.find(key);
  std::string where = path.empty() ? key : path + "." + key;
  if (it == obj.end()) {
    if (fallback) return *fallback;
    return Invalid(where, "required field is missing");
  }
  if (!it->is_string()) return Invalid(where, "must be a string, not " + TypeName(*it));
  return it->get<std::string>();
}

Result<int64_t> Seconds(const Json& v, const std::string& where) {
  if (v.is_number_integer() && v.get<int64_t>() > 0) return v.get<int64_t>();
  if (v.is_string()) {
    try {
      size_t used = 0;
      int64_t n = std::stoll(v.get<std::string>(), &used);
      if (used == v.get<std::string>().size() && n > 0) return n;
    } catch (...) {
    }
  }
  return Invalid(where, "must be a positive number of seconds");
}

Result<StepDef> ParseStep(const Json& j, const std::string& path) {
  if (!j.is_object()) return Invalid(path, "a step must be a dict, not " + TypeName(j));
  StepDef s;
  KR_ASSIGN(s.tool, String(j, "tool", path, std::nullopt));
  KR_ASSIGN(s.name, String(j, "name", path, ""));
  if (auto w = j.find("when"); w != j.end()) {
    if (w->is_boolean()) s.when = w->get<bool>() ? "always" : "never";
    else if (w->is_string()) s.when = w->get<std::string>();
    else return Invalid(path + ".when", "must be a string condition");
  }
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!kCommonStepKeys.count(it.key()) || it.key() == "attempts" ||
        it.key() == "sleep_time_after_attempt")
      s.fields[it.key()] = it.value();
  if (s.tool == "shell") {
    bool has_cmd = j.contains("cmd"), has_script = j.contains("script");
    if (!has_cmd && !has_script) return Invalid(path + ".cmd", "shell step needs cmd or script");
    if (has_cmd && !j["cmd"].is_string()) return Invalid(path + ".cmd", "must be a string");
    if (has_script && !j["script"].is_string())
      return Invalid(path + ".script", "must be a string");
    if (j.contains("timeout")) KR_TRY(Seconds(j["timeout"], path + ".timeout"));
  }
  return s;
}

Result<EnvironmentDef> ParseEnvironment(const Json& j, const std::string& path) {
  if (!j.is_object()) return Invalid(path, "an environment must be a dict");
  KR_TRY(CheckKeys(j, kEnvKeys, path));
  EnvironmentDef e;
  auto sys = j.find("system");
  if (sys == j.end()) return Invalid(path + ".system", "required field is missing");
  if (sys->is_string()) {
    e.systems.push_back(sys->get<std::string>());
  } else if (sys->is_array() && !sys->empty()) {
    for (size_t i = 0; i < sys->size(); ++i) {
      if (!(*sys)[i].is_string())
        return Invalid(fmt::format("{}.system[{}]", path, i), "must be a string");
      e.systems.push_back((*sys)[i].get<std::string>());
    }
  } else {
    return Invalid(path + ".system", "must be a string or a non-empty list of strings");
  }
  KR_ASSIGN(e.agents_group, String(j, "agents_group", path, std::nullopt));
  KR_ASSIGN(e.executor, String(j, "executor", path, "local"));
  if (e.executor != "local" && e.executor != "docker" && e.executor != "lxd")
    return Invalid(path + ".executor", "must be local, docker or lxd");
  KR_ASSIGN(e.config, String(j, "config", path, ""));
  return e;
}

Result<JobDef> ParseJob(const Json& j, const std::string& path) {
  if (!j.is_object()) return Invalid(path, "a job must be a dict, not " + TypeName(j));
  KR_TRY(CheckKeys(j, kJobKeys, path));
  JobDef job;
  KR_ASSIGN(job.name, String(j, "name", path, std::nullopt));
  if (job.name.empty()) return Invalid(path + ".name", "must not be empty");
  if (j.contains("timeout")) {
    KR_ASSIGN(job.timeout, Seconds(j["timeout"], path + ".timeout"));
  }
  auto steps = j.find("steps");
  if (steps == j.end() || !steps->is_array() || steps->empty())
    return Invalid(path + ".steps", "must be a non-empty list of steps");
  for (size_t i = 0; i < steps->size(); ++i) {
    KR_ASSIGN(auto s, ParseStep((*steps)[i], fmt::format("{}.steps[{}]", path, i)));
    job.steps.push_back(std::move(s));
  }
  auto envs = j.find("environments");
  if (envs == j.end() || !envs->is_array() || envs->empty())
    return Invalid(path + ".environments", "must be a non-empty list of environments");
  for (size_t i = 0; i < envs->size(); ++i) {
    KR_ASSIGN(auto e, ParseEnvironment((*envs)[i], fmt::format("{}.environments[{}]", path, i)));
    job.environments.push_back(std::move(e));
  }
  return job;
}

}  // namespace

Result<StageDef> ParseStage(const Json& schema) {
  if (!schema.is_object()) return Invalid("", "a stage schema must be a dict");
  KR_TRY(CheckKeys(schema, kTopKeys, ""));
  StageDef st;
  KR_ASSIGN(st.parent, String(schema, "parent", "", "root"));
  if (auto t = schema.find("triggers"); t != schema.end()) {
    if (!t->is_object()) return Invalid("triggers", "must be a dict");
    if (t->contains("parent")) {
      if (!(*t)["parent"].is_boolean()) return Invalid("triggers.parent", "must be true or false");
      st.trigger_parent = (*t)["parent"].get<bool>();
    }
    if (t->contains("manual")) {
      if (!(*t)["manual"].is_boolean()) return Invalid("triggers.manual", "must be true or false");
      st.trigger_manual = (*t)["manual"].get<bool>();
    }
  }
  if (auto p = schema.find("parameters"); p != schema.end()) {
    if (!p->is_array()) return Invalid("parameters", "must be a list");
    for (size_t i = 0; i < p->size(); ++i) {
      const Json& pj = (*p)[i];
      std::string path = fmt::format("parameters[{}]", i);
      if (!pj.is_object()) return Invalid(path, "must be a dict");
      ParameterDef def;
      KR_ASSIGN(def.name, String(pj, "name", path, std::nullopt));
      KR_ASSIGN(def.type, String(pj, "type", path, "string"));
      KR_ASSIGN(def.description, String(pj, "description", path, ""));
      def.default_value = pj.value("default", Json(""));
      st.parameters.push_back(std::move(def));
    }
  }
  if (auto t = schema.find("timeout"); t != schema.end()) {
    KR_ASSIGN(st.timeout, Seconds(*t, "timeout"));
  }
  KR_ASSIGN(st.flow_label, String(schema, "flow_label", "", ""));
  KR_ASSIGN(st.run_label, String(schema, "run_label", "", ""));
  if (auto jobs = schema.find("jobs"); jobs != schema.end()) {
    if (!jobs->is_array()) return Invalid("jobs", "must be a list");
    std::set<std::string> names;
    for (size_t i = 0; i < jobs->size(); ++i) {
      KR_ASSIGN(auto job, ParseJob((*jobs)[i], fmt::format("jobs[{}]", i)));
      if (!names.insert(job.name).second)
        return Invalid(fmt::format("jobs[{}].name", i), "duplicate job name '" + job.name + "'");
      st.jobs.push_back(std::move(job));
    }
  }
  return st;
}

Json ParameterDefaults(const StageDef& stage) {
  Json out = Json::object();
  for (const auto& p : stage.parameters) out[p.name] = p.default_value;
  return out;
}

}  // namespace kraken::workflow
