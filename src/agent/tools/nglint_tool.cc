// The `nglint` tool: runs Angular's linter (`npx ng lint --format json`, as Kraken CI's
// nglint tool does) or any command given in `cmd` that prints ESLint's JSON report, and
// reports each message as a lint issue: severity 2 → error, 1 → warning (as Kraken CI maps
// them), the rule id as the symbol, the file path relative to `cwd`.
//
// ESLint's JSON format (https://eslint.org/docs/latest/use/formatters/#json) is a list of
// {filePath, messages: [{ruleId, severity, message, line, column, fatal?, ...}], ...}. `ng lint`
// (angular-eslint's builder) prints one such list per project, among lines of its own
// ("Linting "app"...", "All files pass linting."), so every list found at the start of a line
// of stdout is read. Issues are findings, not a failure: the step errs only when the linter
// could not lint (an exit status other than 0 or 1, as ESLint's 2 for a configuration error)
// or printed no report.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "agent/tools/nglint_report.h"
#include "agent/tools/tool_util.h"

namespace kraken::tools {
namespace {

StepOutcome RunNglint(const Json& fields, ToolContext& ctx) {
  auto cwd_field = StringField(fields, "cwd");
  auto command = StringField(fields, "cmd", "npx ng lint --format json");
  auto timeout = IntField(fields, "timeout", 0);
  for (const auto* r : {&cwd_field, &command})
    if (!*r) return StepOutcome::Error(r->error().field + ": " + r->error().message);
  if (!timeout) return StepOutcome::Error("timeout: " + timeout.error().message);
  if (command->empty()) return StepOutcome::Error("cmd: must not be empty");
  std::string cwd = StepCwd(ctx, *cwd_field);
  // stdout (the report) goes to a file; stderr is the step's log.
  std::string report = FreshReportPath(cwd, "nglint");
  CommandOptions cmd;
  cmd.cwd = cwd;
  if (*timeout > 0) cmd.timeout = std::chrono::seconds(*timeout);
  cmd.argv = proc::ShellArgv("(" + *command + ") > " + ShellQuote(report));
  StepOutcome run = RunCommand(ctx, cmd);
  auto text = TakeReport(report);
  bool linted = run.ok || (run.reason == "exit-code" && run.retcode == 1);
  if (!linted) return run;
  if (!text) return StepOutcome::Error("the linter wrote no report: " + text.error().message);
  auto issues = ParseEslintReport(*text, cwd);
  if (!issues) return StepOutcome::Error(issues.error().message);
  if (!issues->other_output.empty()) ctx.Log(issues->other_output);
  for (Json& issue : issues->issues) ctx.reporter->Issue(std::move(issue));
  ctx.Log(fmt::format("nglint: {} issues reported\n", issues->issues.size()));
  return StepOutcome::Done();
}

}  // namespace

ToolSpec NglintTool() {
  return ToolSpec{"nglint",
                  "Lints with Angular's `ng lint` (or any ESLint-JSON command) and reports each "
                  "message as an issue.",
                  {{"cwd", "string", "Directory of the Angular workspace", "."},
                   {"cmd", "string", "Command printing ESLint's JSON report on stdout",
                    "npx ng lint --format json"},
                   {"timeout", "integer|string",
                    "Seconds before the linter is stopped (default: the job's time)"}},
                  RunNglint};
}

}  // namespace kraken::tools
