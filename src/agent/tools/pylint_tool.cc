// The `pylint` tool: runs pylint over the given modules or packages with JSON output and
// reports each message as a lint issue (path, line, column, symbol, message, type), as
// Kraken CI's pylint tool does. Issues are findings, not a failure: the step errs only
// when pylint could not lint (a usage error, a crash, no readable report).
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "agent/tools/tool_util.h"

namespace kraken::tools {
namespace {

// pylint's exit status is a bit mask: 1 fatal, 2 error, 4 warning, 8 refactor,
// 16 convention messages were issued, 32 usage error.
constexpr int64_t kUsageError = 32;

StepOutcome RunPylint(const Json& fields, ToolContext& ctx) {
  auto modules = StringField(fields, "modules_or_packages");
  auto rcfile = StringField(fields, "rcfile");
  auto exe = StringField(fields, "pylint_exe", "pylint");
  auto cwd_field = StringField(fields, "cwd");
  auto timeout = IntField(fields, "timeout", 180);
  for (const auto* r : {&modules, &rcfile, &exe, &cwd_field})
    if (!*r) return StepOutcome::Error(r->error().field + ": " + r->error().message);
  if (!timeout) return StepOutcome::Error("timeout: " + timeout.error().message);
  if (modules->empty()) return StepOutcome::Error("modules_or_packages: what to lint is required");
  if (exe->find(' ') == std::string::npos)
    if (auto missing = MissingProgram(ctx, *exe)) return *missing;
  std::string cwd = StepCwd(ctx, *cwd_field);
  // The report goes to a file: stdout and stderr are the step's log.
  std::string report = FreshReportPath(cwd, "pylint");

  CommandOptions cmd;
  cmd.cwd = cwd;
  if (*timeout > 0) cmd.timeout = std::chrono::seconds(*timeout);
  std::string line = fmt::format("{} --output-format=json --output={}", *exe, ShellQuote(report));
  if (!rcfile->empty()) line += " --rcfile=" + ShellQuote(*rcfile);
  line += " " + *modules;  // may name several, as on a command line
  cmd.argv = proc::ShellArgv(line);
  StepOutcome run = RunCommand(ctx, cmd);
  bool linted =
      run.ok || (run.reason == "exit-code" && run.retcode > 0 && run.retcode < kUsageError);
  auto text = TakeReport(report);
  if (!linted) return run;
  if (!text) return StepOutcome::Error("pylint wrote no report: " + text.error().message);
  Json messages = Json::parse(*text, nullptr, false);
  if (messages.is_discarded() || !messages.is_array())
    return StepOutcome::Error("pylint's report is not a JSON list");
  int reported = 0;
  for (const Json& m : messages) {
    if (!m.is_object()) continue;
    ctx.reporter->Issue(Json{{"path", m.value("path", "")},
                             {"line", m.value("line", 0)},
                             {"column", m.value("column", 0)},
                             {"symbol", m.value("symbol", "")},
                             {"message", m.value("message", "")},
                             {"type", m.value("type", "warning")}});
    ++reported;
  }
  ctx.Log(fmt::format("pylint: {} issues reported\n", reported));
  return StepOutcome::Done();
}

}  // namespace

ToolSpec PylintTool() {
  return ToolSpec{
      "pylint",
      "Lints Python code with pylint and reports each message as an issue.",
      {{"modules_or_packages", "string", "What to lint: modules, packages or files", nullptr, true},
       {"rcfile", "string", "pylint configuration file"},
       {"pylint_exe", "string", "pylint command", "pylint"},
       {"cwd", "string", "Working directory", "."},
       {"timeout", "integer|string", "Seconds before pylint is stopped", 180}},
      RunPylint};
}

}  // namespace kraken::tools
