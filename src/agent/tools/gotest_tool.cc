// The `gotest` tool: runs `go test -json` and reports each test as its verdict arrives,
// named `package::Test`.
#include <fmt/format.h>

#include <map>

#include "agent/tools/tool_util.h"

namespace kraken::tools {
namespace {

struct GoTestState {
  std::map<std::string, std::string> output;  // test key -> its output, for failure messages
  std::map<std::string, bool> package_had_tests;
  int reported = 0;
};

void OnGoEvent(ToolContext& ctx, GoTestState& st, std::string_view line, const std::string& cmd) {
  Json ev = Json::parse(line, nullptr, false);
  if (ev.is_discarded() || !ev.is_object()) {
    ctx.Log(line);  // build errors and other non-JSON output
    return;
  }
  std::string action = ev.value("Action", "");
  std::string pkg = ev.value("Package", "");
  std::string test = ev.value("Test", "");
  std::string key = test.empty() ? pkg : pkg + "::" + test;
  if (action == "output") {
    std::string text = ev.value("Output", "");
    ctx.Log(text);
    std::string& out = st.output[key];
    if (out.size() < 8192) out += text;
    return;
  }
  if (action != "pass" && action != "fail" && action != "skip") return;
  if (test.empty()) {
    // A package that failed without a failing test (a build error) still gets a result.
    if (action == "fail" && !st.package_had_tests[pkg]) {
      results::ResultRecord r;
      r.test = pkg + "::(package)";
      r.status = results::TestStatus::kError;
      r.message = st.output[key];
      ctx.reporter->Result(std::move(r));
      ++st.reported;
    }
    return;
  }
  st.package_had_tests[pkg] = true;
  results::ResultRecord r;
  r.test = key;
  r.status = action == "pass"   ? results::TestStatus::kPassed
             : action == "fail" ? results::TestStatus::kFailed
                                : results::TestStatus::kDisabled;
  if (action != "pass") r.message = st.output[key];
  st.output.erase(key);
  r.duration_seconds = ev.value("Elapsed", 0.0);
  r.cmd = fmt::format("{} -run '^{}$' {}", cmd, test.substr(0, test.find('/')), pkg);
  ctx.reporter->Result(std::move(r));
  ++st.reported;
}

StepOutcome RunGotest(const Json& fields, ToolContext& ctx) {
  auto exe = StringField(fields, "go_exe", "go");
  auto params = StringField(fields, "params", "./...");
  auto cwd_field = StringField(fields, "cwd");
  auto timeout = IntField(fields, "timeout", 0);
  for (const auto* r : {&exe, &params, &cwd_field})
    if (!*r) return StepOutcome::Error(r->error().field + ": " + r->error().message);
  if (!timeout) return StepOutcome::Error("timeout: " + timeout.error().message);
  // A bare program name (the default `go`) must be on the machine; a command line is the
  // shell's to run.
  if (exe->find(' ') == std::string::npos)
    if (auto missing = MissingProgram(ctx, *exe)) return *missing;
  GoTestState st;
  CommandOptions cmd;
  cmd.cwd = StepCwd(ctx, *cwd_field);
  cmd.argv = proc::ShellArgv(fmt::format("{} test -json {}", *exe, *params));
  if (*timeout > 0) cmd.timeout = std::chrono::seconds(*timeout);
  cmd.lines = true;
  std::string rerun = *exe + " test";
  cmd.on_output = [&](std::string_view line) { OnGoEvent(ctx, st, line, rerun); };
  StepOutcome run = RunCommand(ctx, cmd);
  ctx.Log(fmt::format("gotest: {} test results reported\n", st.reported));
  // go test exits 1 when a test failed: the results say so; the step ran fine.
  if (!run.ok && run.reason == "exit-code" && st.reported > 0) return StepOutcome::Done();
  return run;
}

}  // namespace

ToolSpec GotestTool() {
  return ToolSpec{"gotest",
                  "Runs `go test -json` and reports each test as package::Test.",
                  {{"go_exe", "string", "go command", "go"},
                   {"params", "string", "Packages and flags for go test", "./..."},
                   {"cwd", "string", "Module directory", "."},
                   {"timeout", "integer|string", "Seconds before go test is stopped"}},
                  RunGotest};
}

}  // namespace kraken::tools
