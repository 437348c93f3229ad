// The `pytest` tool: one pytest process for the whole selection, writing a JUnit report
// that is then parsed like junit_collect's. A failing test is reported failed, not error.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "agent/tools/junit_report.h"
#include "agent/tools/tool_util.h"

namespace kraken::tools {
namespace {

bool OnPath(const std::string& exe) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::string p = path;
  size_t start = 0;
  while (start <= p.size()) {
    size_t colon = p.find(':', start);
    std::string dir =
        p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty() && access((dir + "/" + exe).c_str(), X_OK) == 0) return true;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return false;
}

StepOutcome RunPytest(const Json& fields, ToolContext& ctx) {
  auto exe = StringField(fields, "pytest_exe");
  auto params = StringField(fields, "params");
  auto pythonpath = StringField(fields, "pythonpath");
  auto cwd_field = StringField(fields, "cwd");
  auto timeout = IntField(fields, "timeout", 0);
  for (const auto* r : {&exe, &params, &pythonpath, &cwd_field})
    if (!*r) return StepOutcome::Error(r->error().field + ": " + r->error().message);
  if (!timeout) return StepOutcome::Error("timeout: " + timeout.error().message);
  std::string pytest = *exe;
  if (pytest.empty() && OnPath("pytest-3")) {
    pytest = "pytest-3";
  } else if (pytest.empty()) {
    if (auto missing = MissingProgram(ctx, "python3")) return *missing;
    pytest = "python3 -m pytest";
  }
  std::string cwd = StepCwd(ctx, *cwd_field);
  std::string report = fmt::format(".kraken-pytest-{}.xml", getpid());
  std::string report_path = cwd + "/" + report;
  std::error_code ec;
  std::filesystem::remove(report_path, ec);

  CommandOptions cmd;
  cmd.cwd = cwd;
  if (*timeout > 0) cmd.timeout = std::chrono::seconds(*timeout);
  cmd.argv = proc::ShellArgv(
      fmt::format("{} {} -o junit_family=xunit1 --junitxml={}", pytest, *params, report));
  if (!pythonpath->empty()) {
    std::string pp = *pythonpath;
    if (ctx.env.contains("PYTHONPATH") && ctx.env["PYTHONPATH"].is_string())
      pp += ":" + ctx.env["PYTHONPATH"].get<std::string>();
    cmd.env["PYTHONPATH"] = pp;
  }
  StepOutcome run = RunCommand(ctx, cmd);
  // pytest exits 1 when tests failed and 5 when none were collected: both ran fine.
  bool ran = run.ok || (run.reason == "exit-code" && (run.retcode == 1 || run.retcode == 5));
  if (!ran && !std::filesystem::exists(report_path)) return run;
  JunitReportSummary s;
  if (std::filesystem::exists(report_path))
    s = ReportJunitFiles(ctx, cwd, {report}, fmt::format("{} {}", pytest, *params));
  std::filesystem::remove(report_path, ec);
  ctx.Log(fmt::format("pytest: {} test results reported\n", s.cases));
  if (!s.errors.empty()) return StepOutcome::Error("pytest report rejected: " + s.errors[0]);
  if (!ran) return run;
  return StepOutcome::Done();
}

}  // namespace

ToolSpec PytestTool() {
  return ToolSpec{
      "pytest",
      "Runs pytest once over the selection and reports each test's result.",
      {{"pytest_exe", "string", "pytest command (default: pytest-3, else python3 -m pytest)"},
       {"params", "string", "Extra pytest arguments (test selection, -k, -m ...)"},
       {"pythonpath", "string", "Prepended to PYTHONPATH"},
       {"cwd", "string", "Working directory", "."},
       {"timeout", "integer|string", "Seconds before pytest is stopped"}},
      RunPytest};
}

}  // namespace kraken::tools
