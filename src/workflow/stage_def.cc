#include "workflow/stage_def.h"

#include <fmt/format.h>

#include <set>

#include "workflow/triggers.h"

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
  if (auto a = j.find("attempts"); a != j.end()) {
    if (!a->is_number_integer() || a->get<int64_t>() < 1)
      return Invalid(path + ".attempts", "must be a whole number of at least 1");
    s.attempts = a->get<int64_t>();
  }
  if (auto z = j.find("sleep_time_after_attempt"); z != j.end()) {
    if (!z->is_number() || z->get<double>() < 0)
      return Invalid(path + ".sleep_time_after_attempt", "must be a number of seconds >= 0");
    s.sleep_time_after_attempt = static_cast<int64_t>(z->get<double>());
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
  if (auto cfg = j.find("config"); cfg != j.end()) {
    if (cfg->is_string()) {
      e.configs.push_back(cfg->get<std::string>());
    } else if (cfg->is_array() && !cfg->empty()) {
      for (size_t i = 0; i < cfg->size(); ++i) {
        if (!(*cfg)[i].is_string())
          return Invalid(fmt::format("{}.config[{}]", path, i), "must be a string");
        e.configs.push_back((*cfg)[i].get<std::string>());
      }
    } else {
      return Invalid(path + ".config", "must be a config name or a non-empty list of names");
    }
  }
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

Result<TriggersDef> ParseTriggers(const Json& t) {
  if (!t.is_object()) return Invalid("triggers", "must be a dict");
  TriggersDef tr;
  auto flag = [&](const char* key, bool& out) -> Status {
    auto it = t.find(key);
    if (it == t.end()) return {};
    if (!it->is_boolean()) return Invalid(std::string("triggers.") + key, "must be true or false");
    out = it->get<bool>();
    return {};
  };
  // A stage with a time or repo trigger starts by it alone unless it also asks for `parent`
  // (Kraken CI also started such root stages with every new flow).
  tr.parent = !(t.contains("interval") || t.contains("date") || t.contains("cron") ||
                t.contains("repo"));
  KR_TRY(flag("parent", tr.parent));
  KR_TRY(flag("manual", tr.manual));
  if (auto it = t.find("interval"); it != t.end()) {
    KR_ASSIGN(tr.interval, ParseDurationSeconds(*it, "triggers.interval"));
  }
  if (auto it = t.find("date"); it != t.end()) {
    if (!it->is_string()) return Invalid("triggers.date", "must be a date string");
    KR_ASSIGN(tr.date, ParseDateMillis(it->get<std::string>(), "triggers.date"));
  }
  if (auto it = t.find("cron"); it != t.end()) {
    if (!it->is_string()) return Invalid("triggers.cron", "must be a string of 5 fields");
    KR_TRY(CronSpec::Parse(it->get<std::string>(), "triggers.cron"));
    tr.cron = it->get<std::string>();
  }
  if (auto it = t.find("repo"); it != t.end()) {
    if (!it->is_object()) return Invalid("triggers.repo", "must be a dict");
    auto add = [&](const Json& r, const std::string& path) -> Status {
      if (!r.is_object()) return Invalid(path, "must be a dict with url and branch");
      RepoDef repo;
      KR_ASSIGN(repo.url, String(r, "url", path, std::nullopt));
      KR_ASSIGN(repo.branch, String(r, "branch", path, ""));
      if (repo.url.empty()) return Invalid(path + ".url", "must not be empty");
      tr.repos.push_back(std::move(repo));
      return {};
    };
    if (auto list = it->find("repos"); list != it->end()) {
      if (!list->is_array() || list->empty())
        return Invalid("triggers.repo.repos", "must be a non-empty list");
      for (size_t i = 0; i < list->size(); ++i)
        KR_TRY(add((*list)[i], fmt::format("triggers.repo.repos[{}]", i)));
    } else {
      KR_TRY(add(*it, "triggers.repo"));
    }
    if (auto iv = it->find("interval"); iv != it->end()) {
      KR_ASSIGN(tr.repo_interval, ParseDurationSeconds(*iv, "triggers.repo.interval"));
    }
    if (auto g = it->find("git_cfg"); g != it->end()) tr.git_cfg = *g;
  }
  return tr;
}

}  // namespace

Result<StageDef> ParseStage(const Json& schema) {
  if (!schema.is_object()) return Invalid("", "a stage schema must be a dict");
  KR_TRY(CheckKeys(schema, kTopKeys, ""));
  StageDef st;
  KR_ASSIGN(st.parent, String(schema, "parent", "", "root"));
  if (auto t = schema.find("triggers"); t != schema.end()) {
    KR_ASSIGN(st.triggers, ParseTriggers(*t));
    st.trigger_parent = st.triggers.parent;
    st.trigger_manual = st.triggers.manual;
  }
  if (auto c = schema.find("configs"); c != schema.end()) {
    if (!c->is_array()) return Invalid("configs", "must be a list");
    std::set<std::string> names;
    for (size_t i = 0; i < c->size(); ++i) {
      const Json& cj = (*c)[i];
      std::string path = fmt::format("configs[{}]", i);
      if (!cj.is_object()) return Invalid(path, "must be a dict of NAME: value");
      ConfigDef def;
      KR_ASSIGN(def.name, String(cj, "name", path, std::nullopt));
      if (!names.insert(def.name).second)
        return Invalid(path + ".name", "duplicate config name '" + def.name + "'");
      for (auto it = cj.begin(); it != cj.end(); ++it) {
        if (it.key() == "name") continue;
        if (!it->is_string()) return Invalid(path + "." + it.key(), "must be a string");
        def.vars[it.key()] = it.value();
      }
      st.configs.push_back(std::move(def));
    }
  }
  if (auto n = schema.find("notification"); n != schema.end()) {
    if (!n->is_object()) return Invalid("notification", "must be a dict");
    st.notification = *n;
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

const ConfigDef* FindConfig(const StageDef& stage, const std::string& name) {
  for (const auto& c : stage.configs)
    if (c.name == name) return &c;
  return nullptr;
}

Json ParameterDefaults(const StageDef& stage) {
  Json out = Json::object();
  for (const auto& p : stage.parameters) out[p.name] = p.default_value;
  return out;
}

}  // namespace kraken::workflow
