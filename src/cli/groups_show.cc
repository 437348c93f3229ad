#include "cli/groups_show.h"

#include <fmt/format.h>

#include <iostream>

namespace kraken::cli {

namespace {

std::string Age(int64_t s) {
  if (s < 120) return fmt::format("{}s", s);
  if (s < 7200) return fmt::format("{}m", s / 60);
  return fmt::format("{}h", s / 3600);
}

}  // namespace

std::string FormatGroup(const Json& group, const Json& machines) {
  std::string out =
      fmt::format("group {} (id {})\n", group.value("name", ""), group.value("id", 0));
  Json d = group.value("deployment", Json::object());
  std::string method = d.value("method", "manual");
  out += fmt::format("  deployment: {}", method);
  for (const char* key : {"instances_limit", "min_idle", "destroy_after_jobs",
                          "destroy_after_idle_minutes", "boot_timeout", "default_system", "image"})
    if (d.contains(key))
      out += fmt::format(", {} {}", key,
                         d[key].is_string() ? d[key].get<std::string>() : d[key].dump());
  out += "\n";
  if (group.contains("agents")) out += fmt::format("  agents: {}\n", group["agents"].size());
  if (machines.empty()) {
    out += "  machines: none\n";
    return out;
  }
  out += fmt::format("  {:<8} {:<13} {:<24} {:>6} {:>5} {:>6}  {}\n", "MACHINE", "STATE", "SYSTEM",
                     "AGE", "JOBS", "AGENT", "LAST ERROR");
  for (const Json& m : machines) {
    std::string agent =
        m["agent_id"].is_null() ? "-" : std::to_string(m["agent_id"].get<int64_t>());
    out +=
        fmt::format("  {:<8} {:<13} {:<24} {:>6} {:>5} {:>6}  {}\n", m.value("name", ""),
                    m.value("state", ""), m.value("system", ""), Age(m.value("age_s", int64_t{0})),
                    m.value("job_count", int64_t{0}), agent, m.value("last_error", ""));
  }
  return out;
}

int GroupsShow(const ClientConfig& config, const std::string& name, std::ostream& out) {
  http::Client client;
  auto groups = Api(client, config, "GET", "/api/v1/groups");
  if (!groups) {
    std::cerr << "kraken: " << groups.error().message << "\n";
    return 1;
  }
  for (const Json& g : *groups) {
    if (g.value("name", "") != name) continue;
    std::string base = "/api/v1/groups/" + std::to_string(g["id"].get<int64_t>());
    auto group = Api(client, config, "GET", base);
    auto machines = Api(client, config, "GET", base + "/machines");
    if (!group || !machines) {
      std::cerr << "kraken: " << (!group ? group.error() : machines.error()).message << "\n";
      return 1;
    }
    out << FormatGroup(*group, *machines);
    return 0;
  }
  std::cerr << "kraken: no agents group named '" << name << "'\n";
  return 1;
}

}  // namespace kraken::cli
