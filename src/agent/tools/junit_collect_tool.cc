// The `junit_collect` tool: reports the test cases of JUnit XML files found by a glob.
#include <fmt/format.h>

#include "agent/tools/junit_report.h"
#include "agent/tools/tool_util.h"
#include "results/junit.h"

namespace kraken::tools {

JunitReportSummary ReportJunitFiles(ToolContext& ctx, const std::string& cwd,
                                    const std::vector<std::string>& files,
                                    const std::string& cmd_prefix) {
  JunitReportSummary summary;
  for (const std::string& file : files) {
    auto xml = ReadFile(cwd + "/" + file);
    if (!xml) {
      summary.errors.push_back(file + ": " + xml.error().message);
      continue;
    }
    auto cases = results::ParseJunit(*xml, file);
    if (!cases) {
      summary.errors.push_back(cases.error().Message());
      continue;
    }
    ++summary.files;
    for (const results::JunitCase& c : *cases) {
      results::ResultRecord r = results::ToResultRecord(c);
      if (!cmd_prefix.empty()) {
        // The case name alone selects it with -k; classname narrows duplicates.
        size_t sep = r.test.rfind("::");
        std::string leaf = sep == std::string::npos ? r.test : r.test.substr(sep + 2);
        r.cmd = cmd_prefix + " -k '" + leaf + "'";
      }
      ctx.reporter->Result(std::move(r));
      ++summary.cases;
    }
  }
  return summary;
}

namespace {

StepOutcome RunJunitCollect(const Json& fields, ToolContext& ctx) {
  auto glob = StringField(fields, "file_glob", "**/*.xml");
  auto cwd_field = StringField(fields, "cwd");
  if (!glob) return StepOutcome::Error("file_glob: " + glob.error().message);
  if (!cwd_field) return StepOutcome::Error("cwd: " + cwd_field.error().message);
  std::string cwd = StepCwd(ctx, *cwd_field);
  std::vector<std::string> files = GlobFiles(cwd, *glob);
  JunitReportSummary s = ReportJunitFiles(ctx, cwd, files);
  ctx.Log(fmt::format("junit_collect: {} test cases from {} of {} files matching '{}'\n", s.cases,
                      s.files, files.size(), *glob));
  for (const auto& e : s.errors) ctx.Log("junit_collect: " + e + "\n");
  if (!s.errors.empty())
    return StepOutcome::Error(fmt::format("{} file(s) rejected: {}", s.errors.size(), s.errors[0]));
  return StepOutcome::Done();
}

}  // namespace

ToolSpec JunitCollectTool() {
  return ToolSpec{"junit_collect",
                  "Reports the test cases of JUnit XML reports.",
                  {{"file_glob", "string", "Reports to read (`*`, `**`)", "**/*.xml"},
                   {"cwd", "string", "Directory the glob is relative to", "."}},
                  RunJunitCollect};
}

}  // namespace kraken::tools
