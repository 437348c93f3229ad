#include "workflow/stage_def.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "workflow/triggers.h"

namespace kraken::workflow {
namespace {

using Keys = std::vector<std::string_view>;
const Keys kTopKeys = {"parent",       "triggers",   "parameters", "configs", "jobs",
                       "notification", "flow_label", "run_label",  "timeout"};
const Keys kJobKeys = {"name", "timeout", "steps", "environments"};
const Keys kEnvKeys = {"system", "agents_group", "executor", "config"};

std::string TypeName(const Json& j) { return j.type_name(); }

// A path into the stage dict, built on the stack while descending and rendered only for an
// error: a valid stage (the common case) costs no string building.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;  // a field name, or
  size_t index = 0;      // a list index when key is empty and parent is set

  Path Field(std::string_view k) const { return Path{this, k, 0}; }
  Path Index(size_t i) const { return Path{this, {}, i}; }
  std::string Render() const {
    if (!parent) return std::string(key);
    std::string head = parent->Render();
    if (key.empty()) return head + "[" + std::to_string(index) + "]";
    return head.empty() ? std::string(key) : head + "." + std::string(key);
  }
};

tl::unexpected<Error> InvalidAt(const Path& path, std::string message) {
  return Invalid(path.Render(), std::move(message));
}

Status CheckKeys(const Json& obj, const Keys& allowed, const Path& path) {
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
      return InvalidAt(path.Field(it.key()), "unknown field");
  return {};
}

// The string at obj[key]; when absent, `fallback`, or an error if fallback is null.
Result<std::string> String(const Json& obj, const char* key, const Path& path,
                           const char* fallback) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    if (fallback) return std::string(fallback);
    return InvalidAt(path.Field(key), "required field is missing");
  }
  if (!it->is_string()) return InvalidAt(path.Field(key), "must be a string, not " + TypeName(*it));
  return it->get<std::string>();
}

Result<int64_t> Seconds(const Json& v, const Path& where) {
  if (v.is_number_integer() && v.get<int64_t>() > 0) return v.get<int64_t>();
  if (v.is_string()) {
    try {
      size_t used = 0;
      int64_t n = std::stoll(v.get<std::string>(), &used);
      if (used == v.get<std::string>().size() && n > 0) return n;
    } catch (...) {
    }
  }
  return InvalidAt(where, "must be a positive number of seconds");
}

Result<StepDef> ParseStep(const Json& j, const Path& path) {
  if (!j.is_object()) return InvalidAt(path, "a step must be a dict, not " + TypeName(j));
  StepDef s;
  KR_ASSIGN(s.tool, String(j, "tool", path, nullptr));
  KR_ASSIGN(s.name, String(j, "name", path, ""));
  if (auto w = j.find("when"); w != j.end()) {
    if (w->is_boolean()) s.when = w->get<bool>() ? "always" : "never";
    else if (w->is_string()) s.when = w->get<std::string>();
    else return InvalidAt(path.Field("when"), "must be a string condition");
  }
  if (auto a = j.find("attempts"); a != j.end()) {
    if (!a->is_number_integer() || a->get<int64_t>() < 1)
      return InvalidAt(path.Field("attempts"), "must be a whole number of at least 1");
    s.attempts = a->get<int64_t>();
  }
  if (auto z = j.find("sleep_time_after_attempt"); z != j.end()) {
    if (!z->is_number() || z->get<double>() < 0)
      return InvalidAt(path.Field("sleep_time_after_attempt"), "must be a number of seconds >= 0");
    s.sleep_time_after_attempt = static_cast<int64_t>(z->get<double>());
  }
  // Copying the whole object (already sorted) is cheaper than inserting its keys one by one.
  s.fields = j;
  for (const char* common : {"tool", "name", "when"}) s.fields.erase(common);
  if (s.tool == "shell") {
    bool has_cmd = j.contains("cmd"), has_script = j.contains("script");
    if (!has_cmd && !has_script) return InvalidAt(path.Field("cmd"), "shell step needs cmd or script");
    if (has_cmd && !j["cmd"].is_string()) return InvalidAt(path.Field("cmd"), "must be a string");
    if (has_script && !j["script"].is_string())
      return InvalidAt(path.Field("script"), "must be a string");
    if (j.contains("timeout")) KR_TRY(Seconds(j["timeout"], path.Field("timeout")));
  }
  return s;
}

Result<EnvironmentDef> ParseEnvironment(const Json& j, const Path& path) {
  if (!j.is_object()) return InvalidAt(path, "an environment must be a dict");
  KR_TRY(CheckKeys(j, kEnvKeys, path));
  EnvironmentDef e;
  auto sys = j.find("system");
  if (sys == j.end()) return InvalidAt(path.Field("system"), "required field is missing");
  if (sys->is_string()) {
    e.systems.push_back(sys->get<std::string>());
  } else if (sys->is_array() && !sys->empty()) {
    for (size_t i = 0; i < sys->size(); ++i) {
      if (!(*sys)[i].is_string())
        return InvalidAt(path.Field("system").Index(i), "must be a string");
      e.systems.push_back((*sys)[i].get<std::string>());
    }
  } else {
    return InvalidAt(path.Field("system"), "must be a string or a non-empty list of strings");
  }
  KR_ASSIGN(e.agents_group, String(j, "agents_group", path, nullptr));
  KR_ASSIGN(e.executor, String(j, "executor", path, "local"));
  if (e.executor != "local" && e.executor != "docker" && e.executor != "lxd")
    return InvalidAt(path.Field("executor"), "must be local, docker or lxd");
  if (auto cfg = j.find("config"); cfg != j.end()) {
    if (cfg->is_string()) {
      e.configs.push_back(cfg->get<std::string>());
    } else if (cfg->is_array() && !cfg->empty()) {
      for (size_t i = 0; i < cfg->size(); ++i) {
        if (!(*cfg)[i].is_string())
          return InvalidAt(path.Field("config").Index(i), "must be a string");
        e.configs.push_back((*cfg)[i].get<std::string>());
      }
    } else {
      return InvalidAt(path.Field("config"), "must be a config name or a non-empty list of names");
    }
  }
  return e;
}

Result<JobDef> ParseJob(const Json& j, const Path& path) {
  if (!j.is_object()) return InvalidAt(path, "a job must be a dict, not " + TypeName(j));
  KR_TRY(CheckKeys(j, kJobKeys, path));
  JobDef job;
  KR_ASSIGN(job.name, String(j, "name", path, nullptr));
  if (job.name.empty()) return InvalidAt(path.Field("name"), "must not be empty");
  if (j.contains("timeout")) {
    KR_ASSIGN(job.timeout, Seconds(j["timeout"], path.Field("timeout")));
  }
  auto steps = j.find("steps");
  if (steps == j.end() || !steps->is_array() || steps->empty())
    return InvalidAt(path.Field("steps"), "must be a non-empty list of steps");
  job.steps.reserve(steps->size());
  const Path steps_path = path.Field("steps");
  for (size_t i = 0; i < steps->size(); ++i) {
    KR_ASSIGN(auto s, ParseStep((*steps)[i], steps_path.Index(i)));
    job.steps.push_back(std::move(s));
  }
  auto envs = j.find("environments");
  if (envs == j.end() || !envs->is_array() || envs->empty())
    return InvalidAt(path.Field("environments"), "must be a non-empty list of environments");
  const Path envs_path = path.Field("environments");
  for (size_t i = 0; i < envs->size(); ++i) {
    KR_ASSIGN(auto e, ParseEnvironment((*envs)[i], envs_path.Index(i)));
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
    auto add = [&](const Json& r, const Path& path) -> Status {
      if (!r.is_object()) return InvalidAt(path, "must be a dict with url and branch");
      RepoDef repo;
      KR_ASSIGN(repo.url, String(r, "url", path, nullptr));
      KR_ASSIGN(repo.branch, String(r, "branch", path, ""));
      if (repo.url.empty()) return InvalidAt(path.Field("url"), "must not be empty");
      tr.repos.push_back(std::move(repo));
      return {};
    };
    if (auto list = it->find("repos"); list != it->end()) {
      if (!list->is_array() || list->empty())
        return Invalid("triggers.repo.repos", "must be a non-empty list");
      const Path root, list_path = root.Field("triggers").Field("repo").Field("repos");
      for (size_t i = 0; i < list->size(); ++i) KR_TRY(add((*list)[i], list_path.Index(i)));
    } else {
      const Path root, repo_path = root.Field("triggers").Field("repo");
      KR_TRY(add(*it, repo_path));
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
  const Path root;
  KR_TRY(CheckKeys(schema, kTopKeys, root));
  StageDef st;
  KR_ASSIGN(st.parent, String(schema, "parent", root, "root"));
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
      const Path configs_path = root.Field("configs"), path = configs_path.Index(i);
      if (!cj.is_object()) return InvalidAt(path, "must be a dict of NAME: value");
      ConfigDef def;
      KR_ASSIGN(def.name, String(cj, "name", path, nullptr));
      if (!names.insert(def.name).second)
        return InvalidAt(path.Field("name"), "duplicate config name '" + def.name + "'");
      for (auto it = cj.begin(); it != cj.end(); ++it) {
        if (it.key() == "name") continue;
        if (!it->is_string()) return InvalidAt(path.Field(it.key()), "must be a string");
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
      const Path parameters_path = root.Field("parameters"), path = parameters_path.Index(i);
      if (!pj.is_object()) return InvalidAt(path, "must be a dict");
      ParameterDef def;
      KR_ASSIGN(def.name, String(pj, "name", path, nullptr));
      KR_ASSIGN(def.type, String(pj, "type", path, "string"));
      KR_ASSIGN(def.description, String(pj, "description", path, ""));
      def.default_value = pj.value("default", Json(""));
      st.parameters.push_back(std::move(def));
    }
  }
  if (auto t = schema.find("timeout"); t != schema.end()) {
    KR_ASSIGN(st.timeout, Seconds(*t, root.Field("timeout")));
  }
  KR_ASSIGN(st.flow_label, String(schema, "flow_label", root, ""));
  KR_ASSIGN(st.run_label, String(schema, "run_label", root, ""));
  if (auto jobs = schema.find("jobs"); jobs != schema.end()) {
    if (!jobs->is_array()) return Invalid("jobs", "must be a list");
    std::unordered_set<std::string> names;
    const Path jobs_path = root.Field("jobs");
    st.jobs.reserve(jobs->size());
    for (size_t i = 0; i < jobs->size(); ++i) {
      KR_ASSIGN(auto job, ParseJob((*jobs)[i], jobs_path.Index(i)));
      if (!names.insert(job.name).second)
        return InvalidAt(jobs_path.Index(i).Field("name"), "duplicate job name '" + job.name + "'");
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
