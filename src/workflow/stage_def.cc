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

// The string in member `key` (found already, or null when absent); when absent, `fallback`,
// or an error if fallback is null.
Status ReadString(const Json* v, std::string_view key, const Path& path, const char* fallback,
                  std::string* out) {
  if (!v) {
    if (fallback) {
      *out = fallback;
      return {};
    }
    return InvalidAt(path.Field(key), "required field is missing");
  }
  if (!v->is_string()) return InvalidAt(path.Field(key), "must be a string, not " + TypeName(*v));
  *out = v->get_ref<const std::string&>();
  return {};
}

// The members below are read in one pass over the object's (sorted) keys: a step, a job or
// an environment is parsed once per run start for every job of a stage, so each key is
// compared once instead of being looked up by name for every field.

Status ParseStep(const Json& j, const Path& path, StepDef* out) {
  if (!j.is_object()) return InvalidAt(path, "a step must be a dict, not " + TypeName(j));
  const Json *tool = nullptr, *name = nullptr, *when = nullptr, *attempts = nullptr,
             *sleep = nullptr, *cmd = nullptr, *script = nullptr, *timeout = nullptr;
  // Every key except tool, name and when; the keys come sorted, so each lands at the end.
  auto& fields = out->fields.get_ref<Json::object_t&>();
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string_view key = it.key();  // compares by length first
    if (key == "tool")
      tool = &*it;
    else if (key == "name")
      name = &*it;
    else if (key == "when")
      when = &*it;
    else {
      if (key == "attempts")
        attempts = &*it;
      else if (key == "sleep_time_after_attempt")
        sleep = &*it;
      else if (key == "cmd")
        cmd = &*it;
      else if (key == "script")
        script = &*it;
      else if (key == "timeout")
        timeout = &*it;
      fields.emplace_hint(fields.end(), it.key(), *it);
    }
  }
  StepDef& s = *out;
  KR_TRY(ReadString(tool, "tool", path, nullptr, &s.tool));
  KR_TRY(ReadString(name, "name", path, "", &s.name));
  if (when) {
    if (when->is_boolean())
      s.when = when->get<bool>() ? "always" : "never";
    else if (when->is_string())
      s.when = when->get_ref<const std::string&>();
    else
      return InvalidAt(path.Field("when"), "must be a string condition");
  }
  if (attempts) {
    if (!attempts->is_number_integer() || attempts->get<int64_t>() < 1)
      return InvalidAt(path.Field("attempts"), "must be a whole number of at least 1");
    s.attempts = attempts->get<int64_t>();
  }
  if (sleep) {
    if (!sleep->is_number() || sleep->get<double>() < 0)
      return InvalidAt(path.Field("sleep_time_after_attempt"), "must be a number of seconds >= 0");
    s.sleep_time_after_attempt = static_cast<int64_t>(sleep->get<double>());
  }
  if (s.tool == "shell") {
    if (!cmd && !script) return InvalidAt(path.Field("cmd"), "shell step needs cmd or script");
    if (cmd && !cmd->is_string()) return InvalidAt(path.Field("cmd"), "must be a string");
    if (script && !script->is_string()) return InvalidAt(path.Field("script"), "must be a string");
    if (timeout) KR_TRY(Seconds(*timeout, path.Field("timeout")));
  }
  return {};
}

// A string or a non-empty list of strings, appended to out.
Status ReadNames(const Json& v, const Path& path, const char* message,
                 std::vector<std::string>* out) {
  if (v.is_string()) {
    out->push_back(v.get_ref<const std::string&>());
    return {};
  }
  if (!v.is_array() || v.empty()) return InvalidAt(path, message);
  out->reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) return InvalidAt(path.Index(i), "must be a string");
    out->push_back(v[i].get_ref<const std::string&>());
  }
  return {};
}

Status ParseEnvironment(const Json& j, const Path& path, EnvironmentDef* out) {
  if (!j.is_object()) return InvalidAt(path, "an environment must be a dict");
  const Json *system = nullptr, *group = nullptr, *executor = nullptr, *config = nullptr;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string_view key = it.key();  // compares by length first
    if (key == "system")
      system = &*it;
    else if (key == "agents_group")
      group = &*it;
    else if (key == "executor")
      executor = &*it;
    else if (key == "config")
      config = &*it;
    else
      return InvalidAt(path.Field(key), "unknown field");
  }
  EnvironmentDef& e = *out;
  if (!system) return InvalidAt(path.Field("system"), "required field is missing");
  KR_TRY(ReadNames(*system, path.Field("system"), "must be a string or a non-empty list of strings",
                   &e.systems));
  KR_TRY(ReadString(group, "agents_group", path, nullptr, &e.agents_group));
  KR_TRY(ReadString(executor, "executor", path, "local", &e.executor));
  // Kraken CI's `lxd` is named so that a stage written for it says why it cannot run here,
  // rather than run its jobs on the agent's host as if they were `local`.
  if (e.executor == "lxd")
    return InvalidAt(path.Field("executor"),
                     "lxd is not supported yet: use local (on the agent's machine) or docker "
                     "(in a container of the system's image)");
  if (e.executor != "local" && e.executor != "docker")
    return InvalidAt(path.Field("executor"), "must be local or docker");
  if (config)
    KR_TRY(ReadNames(*config, path.Field("config"),
                     "must be a config name or a non-empty list of names", &e.configs));
  return {};
}

Status ParseJob(const Json& j, const Path& path, JobDef* out) {
  if (!j.is_object()) return InvalidAt(path, "a job must be a dict, not " + TypeName(j));
  const Json *name = nullptr, *timeout = nullptr, *steps = nullptr, *envs = nullptr;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string_view key = it.key();  // compares by length first
    if (key == "name")
      name = &*it;
    else if (key == "timeout")
      timeout = &*it;
    else if (key == "steps")
      steps = &*it;
    else if (key == "environments")
      envs = &*it;
    else
      return InvalidAt(path.Field(key), "unknown field");
  }
  JobDef& job = *out;
  KR_TRY(ReadString(name, "name", path, nullptr, &job.name));
  if (job.name.empty()) return InvalidAt(path.Field("name"), "must not be empty");
  if (timeout) {
    KR_ASSIGN(job.timeout, Seconds(*timeout, path.Field("timeout")));
  }
  if (!steps || !steps->is_array() || steps->empty())
    return InvalidAt(path.Field("steps"), "must be a non-empty list of steps");
  job.steps.reserve(steps->size());
  const Path steps_path = path.Field("steps");
  for (size_t i = 0; i < steps->size(); ++i)
    KR_TRY(ParseStep((*steps)[i], steps_path.Index(i), &job.steps.emplace_back()));
  if (!envs || !envs->is_array() || envs->empty())
    return InvalidAt(path.Field("environments"), "must be a non-empty list of environments");
  job.environments.reserve(envs->size());
  const Path envs_path = path.Field("environments");
  for (size_t i = 0; i < envs->size(); ++i)
    KR_TRY(ParseEnvironment((*envs)[i], envs_path.Index(i), &job.environments.emplace_back()));
  return {};
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
  tr.parent =
      !(t.contains("interval") || t.contains("date") || t.contains("cron") || t.contains("repo"));
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
    // Views of the names in st.jobs, which is reserved and so never moves its elements.
    std::unordered_set<std::string_view> names;
    names.reserve(jobs->size());
    const Path jobs_path = root.Field("jobs");
    st.jobs.reserve(jobs->size());
    for (size_t i = 0; i < jobs->size(); ++i) {
      JobDef& job = st.jobs.emplace_back();
      KR_TRY(ParseJob((*jobs)[i], jobs_path.Index(i), &job));
      if (!names.insert(job.name).second)
        return InvalidAt(jobs_path.Index(i).Field("name"), "duplicate job name '" + job.name + "'");
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
