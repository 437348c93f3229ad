#include "cloud/docker/container_types.h"

#include <cstdio>
#include <ctime>

namespace kraken::docker {
namespace {

struct StateName {
  ContainerState state;
  std::string_view name;
};

constexpr StateName kStateNames[] = {
    {ContainerState::kCreated, "created"},
    {ContainerState::kRunning, "running"},
    {ContainerState::kPaused, "paused"},
    {ContainerState::kRestarting, "restarting"},
    {ContainerState::kRemoving, "removing"},
    {ContainerState::kExited, "exited"},
    {ContainerState::kDead, "dead"},
    {ContainerState::kUnknown, "unknown"},
    // Podman's own names for the same states.
    {ContainerState::kCreated, "configured"},
    {ContainerState::kCreated, "initialized"},
    {ContainerState::kExited, "stopped"},
};

std::map<std::string, std::string> StringMap(const Json& json) {
  std::map<std::string, std::string> result;
  if (!json.is_object()) return result;  // the engine writes null for "none"
  for (const auto& [key, value] : json.items()) {
    if (value.is_string()) result[key] = value.get<std::string>();
  }
  return result;
}

std::string StringField(const Json& json, const char* key) {
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string WithoutSlash(std::string name) {
  if (!name.empty() && name.front() == '/') name.erase(0, 1);
  return name;
}

bool IsAbsolute(const std::string& path) { return !path.empty() && path.front() == '/'; }

}  // namespace

const char* ContainerStateName(ContainerState state) {
  for (const StateName& entry : kStateNames) {
    if (entry.state == state) return entry.name.data();
  }
  return "unknown";
}

ContainerState ParseContainerState(std::string_view name) {
  for (const StateName& entry : kStateNames) {
    if (entry.name == name) return entry.state;
  }
  return ContainerState::kUnknown;
}

Status ValidateSpec(const ContainerSpec& spec) {
  if (spec.image.empty()) return Invalid("image", "a container needs an image");
  for (const BindMount& bind : spec.binds) {
    // The Binds syntax is colon-separated: a colon inside a path would be misread.
    if (!IsAbsolute(bind.host_path) || !IsAbsolute(bind.container_path) ||
        bind.host_path.find(':') != std::string::npos ||
        bind.container_path.find(':') != std::string::npos) {
      return Invalid("binds", "bind mount paths must be absolute and free of ':': " +
                                  bind.host_path + " -> " + bind.container_path);
    }
  }
  for (const auto& [key, value] : spec.env) {
    if (key.empty() || key.find('=') != std::string::npos) {
      return Invalid("env", "bad environment variable name '" + key + "'");
    }
  }
  for (const auto& [key, value] : spec.labels) {
    if (key.empty()) return Invalid("labels", "label keys must not be empty");
  }
  if (spec.nano_cpus < 0) return Invalid("nano_cpus", "CPU limit must not be negative");
  if (spec.memory_bytes < 0) return Invalid("memory_bytes", "memory limit must not be negative");
  return {};
}

Json CreateBody(const ContainerSpec& spec) {
  Json body = {{"Image", spec.image}, {"Labels", Json::object()}, {"Tty", false}};
  if (!spec.entrypoint.empty()) body["Entrypoint"] = spec.entrypoint;
  if (!spec.cmd.empty()) body["Cmd"] = spec.cmd;
  Json env = Json::array();
  for (const auto& [key, value] : spec.env) env.push_back(key + "=" + value);
  body["Env"] = env;
  for (const auto& [key, value] : spec.labels) body["Labels"][key] = value;

  Json binds = Json::array();
  for (const BindMount& bind : spec.binds) {
    binds.push_back(bind.host_path + ":" + bind.container_path + (bind.read_only ? ":ro" : ":rw"));
  }
  Json host = {{"Binds", binds}, {"AutoRemove", false}};
  if (!spec.network_mode.empty()) host["NetworkMode"] = spec.network_mode;
  if (spec.nano_cpus > 0) host["NanoCpus"] = spec.nano_cpus;
  if (spec.memory_bytes > 0) host["Memory"] = spec.memory_bytes;
  body["HostConfig"] = host;
  return body;
}

Result<ContainerInfo> ParseContainerInfo(const Json& json) {
  if (!json.is_object() || !json.contains("Id") || !json["Id"].is_string()) {
    return Fail(ErrorCode::kInternal, "docker engine: container inspection without an Id");
  }
  ContainerInfo info;
  info.id = json["Id"].get<std::string>();
  info.name = WithoutSlash(StringField(json, "Name"));
  const Json& config = json.contains("Config") ? json["Config"] : Json();
  if (config.is_object()) {
    info.image = StringField(config, "Image");
    if (config.contains("Labels")) info.labels = StringMap(config["Labels"]);
  }
  const Json& state = json.contains("State") ? json["State"] : Json();
  if (state.is_object()) {
    info.state = ParseContainerState(StringField(state, "Status"));
    if (state.contains("ExitCode") && state["ExitCode"].is_number_integer()) {
      info.exit_code = state["ExitCode"].get<int>();
    }
    info.oom_killed = state.value("OOMKilled", false);
    info.error = StringField(state, "Error");
    info.started_at = ParseEngineTime(StringField(state, "StartedAt"));
    info.finished_at = ParseEngineTime(StringField(state, "FinishedAt"));
  }
  return info;
}

Result<std::vector<ContainerSummary>> ParseContainerList(const Json& json) {
  if (!json.is_array()) {
    return Fail(ErrorCode::kInternal, "docker engine: container list is not an array");
  }
  std::vector<ContainerSummary> result;
  for (const Json& item : json) {
    if (!item.is_object() || !item.contains("Id") || !item["Id"].is_string()) {
      return Fail(ErrorCode::kInternal, "docker engine: container list entry without an Id");
    }
    ContainerSummary summary;
    summary.id = item["Id"].get<std::string>();
    if (item.contains("Names") && item["Names"].is_array() && !item["Names"].empty() &&
        item["Names"][0].is_string()) {
      summary.name = WithoutSlash(item["Names"][0].get<std::string>());
    }
    summary.image = StringField(item, "Image");
    summary.state = ParseContainerState(StringField(item, "State"));
    if (item.contains("Created") && item["Created"].is_number_integer()) {
      summary.created = item["Created"].get<int64_t>() * 1000;
    }
    if (item.contains("Labels")) summary.labels = StringMap(item["Labels"]);
    result.push_back(std::move(summary));
  }
  return result;
}

Result<EngineVersion> ParseEngineVersion(const Json& json) {
  if (!json.is_object() || StringField(json, "ApiVersion").empty()) {
    return Fail(ErrorCode::kInternal, "docker engine: version answer without ApiVersion");
  }
  return EngineVersion{StringField(json, "Version"),       StringField(json, "ApiVersion"),
                       StringField(json, "MinAPIVersion"), StringField(json, "Os"),
                       StringField(json, "Arch"),          StringField(json, "KernelVersion")};
}

Millis ParseEngineTime(std::string_view text) {
  std::string copy(text);
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != 19) {
    return 0;
  }
  if (tm.tm_year <= 1) return 0;  // Go's zero time: "0001-01-01T00:00:00Z"
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::string_view rest = text.substr(19);

  Millis millis = 0;
  if (rest.starts_with(".")) {
    rest.remove_prefix(1);
    int digits = 0;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      if (digits < 3) millis = millis * 10 + (rest.front() - '0');
      ++digits;
      rest.remove_prefix(1);
    }
    for (; digits < 3; ++digits) millis *= 10;
  }

  int64_t offset_seconds = 0;
  if (rest == "Z" || rest == "z") {
    offset_seconds = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int hours = 0, minutes = 0;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &hours, &minutes) != 2) {
      return 0;
    }
    offset_seconds = (rest[0] == '+' ? 1 : -1) * (hours * 3600 + minutes * 60);
  } else {
    return 0;
  }
  return (static_cast<int64_t>(timegm(&tm)) - offset_seconds) * 1000 + millis;
}

}  // namespace kraken::docker
