#include "cli/flow_run.h"

#include <fmt/format.h>

#include <iostream>
#include <set>

namespace kraken::cli {
namespace {

Result<int64_t> FindBranch(http::Client& client, const ClientConfig& config,
                           const std::string& target) {
  auto slash = target.find('/');
  if (slash == std::string::npos)
    return Invalid("target", "expected PROJECT/BRANCH, got '" + target + "'");
  std::string project = target.substr(0, slash), branch = target.substr(slash + 1);
  KR_ASSIGN(auto projects, Api(client, config, "GET", "/api/v1/projects"));
  for (const Json& p : projects) {
    if (p["name"] != project) continue;
    for (const Json& b : p["branches"])
      if (b["name"] == branch) return b["id"].get<int64_t>();
    return NotFound("project '" + project + "' has no branch '" + branch + "'");
  }
  return NotFound("no project named '" + project + "'");
}

std::string Seconds(const Json& from, const Json& to) {
  if (!from.is_number() || !to.is_number()) return "";
  return fmt::format(" {:.1f}s", (to.get<int64_t>() - from.get<int64_t>()) / 1000.0);
}

// Prints what changed since the last call; returns true when the flow is over.
bool Report(const Json& flow, std::map<int64_t, std::string>& seen) {
  for (const Json& run : flow["runs"]) {
    std::string key = run["state"].get<std::string>();
    int64_t run_key = -run["id"].get<int64_t>();
    if (seen[run_key] != key) {
      seen[run_key] = key;
      std::cout << fmt::format(
          "run {} {}: {}{}\n", run["id"].get<int64_t>(), run["stage_name"].get<std::string>(), key,
          run["note"].get<std::string>().empty() ? ""
                                                 : " (" + run["note"].get<std::string>() + ")");
    }
    for (const Json& job : run["jobs"]) {
      if (job["covered"].get<bool>()) continue;
      std::string state = job["state"].get<std::string>();
      if (!job["completion_status"].is_null())
        state += " (" + job["completion_status"].get<std::string>() + ")" +
                 Seconds(job["started"], job["completed"]);
      int64_t id = job["id"];
      if (seen[id] == state) continue;
      seen[id] = state;
      std::cout << fmt::format("  job {} {} [{}]: {}\n", id, job["name"].get<std::string>(),
                               job["system"].get<std::string>(), state);
    }
  }
  std::cout.flush();
  return flow["state"] == "completed";
}

}  // namespace

int FlowRun(const ClientConfig& config, const FlowRunOptions& options) {
  http::Client client;
  auto branch = FindBranch(client, config, options.target);
  if (!branch) {
    std::cerr << "kraken: " << branch.error().message << "\n";
    return 2;
  }
  Json args = Json::object();
  for (const auto& [k, v] : options.args) args[k] = v;
  auto flow = Api(client, config, "POST", fmt::format("/api/v1/branches/{}/flows", *branch),
                  Json{{"kind", options.dev ? "dev" : "ci"}, {"args", args}});
  if (!flow) {
    std::cerr << "kraken: " << flow.error().message << "\n";
    return 2;
  }
  int64_t flow_id = (*flow)["id"];
  std::cout << fmt::format("flow {} ({} #{}) started on {}\n", flow_id, options.dev ? "DEV" : "CI",
                           (*flow)["seq"]["own"].get<int64_t>(), options.target);
  if (!options.follow) return 0;

  std::map<int64_t, std::string> seen;
  Json last;
  bool done = false;
  std::string error;
  auto refresh = [&] {
    auto f = Api(client, config, "GET", fmt::format("/api/v1/flows/{}", flow_id));
    if (!f) {
      error = f.error().message;
      return false;
    }
    Json runs = Api(client, config, "GET", fmt::format("/api/v1/flows/{}/runs", flow_id))
                    .value_or(Json::array());
    (*f)["runs"] = runs;
    last = *f;
    done = Report(last, seen);
    return !done;
  };
  // Every change the server announces triggers one refresh; the first chunk (the stream's
  // greeting) triggers the first, so nothing that happened before we connected is missed.
  http::Client events;
  std::vector<std::string> headers = {"Authorization: Bearer " + config.token};
  while (!done && error.empty()) {
    auto r = events.Stream(config.server + "/api/v1/events", headers,
                           [&](std::string_view) { return refresh(); });
    if (!done && error.empty() && !r) {
      error = r.error().message;
    }
  }
  if (!error.empty()) {
    std::cerr << "kraken: lost the server: " << error << "\n";
    return 2;
  }
  std::vector<std::string> failed;
  for (const Json& run : last["runs"]) {
    for (const Json& job : run["jobs"])
      if (!job["covered"].get<bool>() && job["completion_status"] != "ok")
        failed.push_back(fmt::format("{} / {} (job {}: {})", run["stage_name"].get<std::string>(),
                                     job["name"].get<std::string>(), job["id"].get<int64_t>(),
                                     job["completion_status"].is_null()
                                         ? "not run"
                                         : job["completion_status"].get<std::string>()));
    if (!run["note"].get<std::string>().empty())
      failed.push_back(fmt::format("{}: {}", run["stage_name"].get<std::string>(),
                                   run["note"].get<std::string>()));
  }
  if (failed.empty()) {
    std::cout << fmt::format("flow {} succeeded\n", flow_id);
    return 0;
  }
  std::cout << fmt::format("flow {} failed:\n", flow_id);
  for (const auto& f : failed) std::cout << "  " << f << "\n";
  return 1;
}

}  // namespace kraken::cli
