// The `cloc` tool: counts lines of code with cloc (https://github.com/AlDanial/cloc) in the
// step's directory, as Kraken CI's cloc tool does: each language cloc reports, and its
// `SUM`, becomes one passed result named after it whose values are blank, comment, code,
// total (the three added up) and files, so the counts are charted across flows.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "agent/tools/tool_util.h"

namespace kraken::tools {
namespace {

StepOutcome RunCloc(const Json& fields, ToolContext& ctx) {
  auto not_match_f = StringField(fields, "not-match-f");
  auto exclude_dir = StringField(fields, "exclude-dir");
  auto cwd_field = StringField(fields, "cwd");
  for (const auto* r : {&not_match_f, &exclude_dir, &cwd_field})
    if (!*r) return StepOutcome::Error(r->error().field + ": " + r->error().message);
  std::string cwd = StepCwd(ctx, *cwd_field);
  if (!std::filesystem::is_directory(cwd))
    return StepOutcome::Error("cwd: " + cwd + " is not a directory");
  // The report goes to a file outside the counted tree: stdout is the step's log.
  std::string report = FreshReportPath(std::filesystem::temp_directory_path().string(),
                                       fmt::format("cloc-{}", reinterpret_cast<uintptr_t>(&ctx)));

  CommandOptions cmd;
  cmd.cwd = cwd;
  // Options as separate arguments: a regex or a directory list never meets a shell.
  cmd.argv = {"cloc", "--json", "--report-file=" + report};
  if (!not_match_f->empty()) cmd.argv.push_back("--not-match-f=" + *not_match_f);
  if (!exclude_dir->empty()) cmd.argv.push_back("--exclude-dir=" + *exclude_dir);
  cmd.argv.push_back(".");
  StepOutcome run = RunCommand(ctx, cmd);
  auto text = TakeReport(report);
  if (!run.ok) {
    if (run.reason == "agent-error")
      run.message += " (is cloc installed? Debian: apt-get install cloc)";
    return run;
  }
  if (!text) return StepOutcome::Error("cloc wrote no report: " + text.error().message);
  Json doc = Json::parse(*text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return StepOutcome::Error("cloc's report is not a JSON object");
  int reported = 0;
  for (const auto& [language, counts] : doc.items()) {
    if (language == "header" || !counts.is_object()) continue;
    int64_t blank = counts.value("blank", int64_t{0});
    int64_t comment = counts.value("comment", int64_t{0});
    int64_t code = counts.value("code", int64_t{0});
    results::ResultRecord r;
    r.test = language;
    r.status = results::TestStatus::kPassed;
    r.values = Json{{"blank", {{"value", blank}}},
                    {"comment", {{"value", comment}}},
                    {"code", {{"value", code}}},
                    {"total", {{"value", blank + comment + code}}},
                    {"files", {{"value", counts.value("nFiles", int64_t{0})}}}};
    ctx.reporter->Result(std::move(r));
    ++reported;
  }
  ctx.Log(fmt::format("cloc: {} results reported\n", reported));
  return StepOutcome::Done();
}

}  // namespace

ToolSpec ClocTool() {
  return ToolSpec{
      "cloc",
      "Counts lines of code per language with cloc and reports them as results with values.",
      {{"not-match-f", "string",
        "cloc --not-match-f: skip files whose name matches this Perl regex"},
       {"exclude-dir", "string", "cloc --exclude-dir: directories to skip, comma-separated"},
       {"cwd", "string", "Directory to count", "."}},
      RunCloc};
}

}  // namespace kraken::tools
