// The `values_collect` tool: each JSON file of metrics becomes one passed result whose
// values are charted across flows. A file holds {"metric": number} or
// {"metric": {"value": n, "median"?, "min"?, "max"?, "stddev"?, "iterations"?}}.
#include <fmt/format.h>

#include <filesystem>

#include "agent/tools/tool_util.h"

namespace kraken::tools {
namespace {

Result<Json> ReadValues(const std::string& path, const std::string& label) {
  KR_ASSIGN(std::string text, ReadFile(path));
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Invalid("files", label + " is not a JSON object of metrics");
  Json values = Json::object();
  for (auto& [name, v] : doc.items()) {
    if (v.is_number()) {
      values[name] = Json{{"value", v}};
    } else if (v.is_object() && v.contains("value") && v["value"].is_number()) {
      Json m = Json::object();
      for (const char* k : {"value", "median", "min", "max", "stddev", "iterations"})
        if (v.contains(k) && v[k].is_number()) m[k] = v[k];
      values[name] = m;
    } else {
      return Invalid(
          "files", fmt::format("{}: metric '{}' needs a number or {{\"value\": n}}", label, name));
    }
  }
  return values;
}

StepOutcome RunValuesCollect(const Json& fields, ToolContext& ctx) {
  auto cwd_field = StringField(fields, "cwd");
  if (!cwd_field) return StepOutcome::Error("cwd: " + cwd_field.error().message);
  std::string cwd = StepCwd(ctx, *cwd_field);
  auto it = fields.find("files");
  if (it == fields.end() || !it->is_array() || it->empty())
    return StepOutcome::Error("files: must be a list of {name, namespace} or file names");
  int reported = 0;
  for (const auto& f : *it) {
    std::string name, ns;
    if (f.is_string()) {
      name = f.get<std::string>();
    } else if (f.is_object() && f.contains("name") && f["name"].is_string()) {
      name = f["name"].get<std::string>();
      if (f.contains("namespace") && f["namespace"].is_string()) ns = f["namespace"];
    } else {
      return StepOutcome::Error("files: each entry must be a file name or {name, namespace}");
    }
    auto values = ReadValues(cwd + "/" + name, name);
    if (!values) return StepOutcome::Error(values.error().message);
    results::ResultRecord r;
    r.test = ns.empty() ? std::filesystem::path(name).stem().string() : ns;
    r.status = results::TestStatus::kPassed;
    r.values = *values;
    ctx.reporter->Result(std::move(r));
    ++reported;
  }
  ctx.Log(fmt::format("values_collect: {} results with values reported\n", reported));
  return StepOutcome::Done();
}

}  // namespace

ToolSpec ValuesCollectTool() {
  return ToolSpec{
      "values_collect",
      "Reports metrics from JSON files as results with values.",
      {{"files", "array", "Files: names, or {name, namespace} (namespace names the result)",
        nullptr, true},
       {"cwd", "string", "Directory the files are relative to", "."}},
      RunValuesCollect};
}

}  // namespace kraken::tools
