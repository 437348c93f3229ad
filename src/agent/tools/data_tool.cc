// The `data` tool: stores JSON on the server, in the flow's, branch's or project's user
// data, to be read back in stage schemas (ctx.flow.data, ...). The server applies it.
#include <fmt/format.h>

#include "agent/tools/tool_util.h"
#include "core/json_limits.h"

namespace kraken::tools {
namespace {

StepOutcome RunData(const Json& fields, ToolContext& ctx) {
  auto op = StringField(fields, "operation", "set");
  auto ptr = StringField(fields, "json_pointer", "/");
  auto scope = StringField(fields, "scope", "flow");
  auto file = StringField(fields, "file");
  auto cwd = StringField(fields, "cwd");
  for (const auto* r : {&op, &ptr, &scope, &file, &cwd})
    if (!*r) return StepOutcome::Error(r->error().field + ": " + r->error().message);
  if (*op != "set" && *op != "jsonpatch")
    return StepOutcome::Error("operation: must be set or jsonpatch");
  static const char* kScopes[] = {"flow", "branch", "branch-ci", "branch-dev", "project"};
  bool known = false;
  for (const char* s : kScopes) known = known || *scope == s;
  if (!known)
    return StepOutcome::Error("scope: must be flow, branch, branch-ci, branch-dev or project");
  Json value;
  if (!file->empty()) {
    auto text = ReadFile(StepCwd(ctx, *cwd) + "/" + *file);
    if (!text) return StepOutcome::Error("file: " + text.error().message);
    auto parsed = ParseJson(*text);  // a document too deep to send is refused here
    if (!parsed) return StepOutcome::Error("file: " + *file + " is " + parsed.error().message);
    value = std::move(*parsed);
  } else if (fields.contains("value")) {
    value = fields["value"];
  } else {
    return StepOutcome::Error("data step needs value or file");
  }
  Json body = {{"operation", *op}, {"json_pointer", *ptr}, {"scope", *scope}, {"value", value}};
  ctx.reporter->Note("data", body);
  if (!ctx.services) return StepOutcome::Done();  // outside a job: shown, not stored
  auto res = ctx.services->Call("data", body);
  if (!res) return StepOutcome::Error("data: " + res.error().message);
  ctx.Log(fmt::format("data: {} applied to {} data at {}\n", *op, *scope, *ptr));
  return StepOutcome::Done();
}

}  // namespace

ToolSpec DataTool() {
  return ToolSpec{
      "data",
      "Stores JSON in the flow's, branch's or project's user data.",
      {{"value", "string|number|boolean|object|array", "The data (or a JSON Patch for jsonpatch)"},
       {"file", "string", "A JSON file holding the data"},
       {"operation", "string", "set or jsonpatch", "set"},
       {"json_pointer", "string", "Where to set the value", "/"},
       {"scope", "string", "flow, branch, branch-ci, branch-dev or project", "flow"},
       {"cwd", "string", "Directory the file is relative to", "."}},
      RunData};
}

}  // namespace kraken::tools
