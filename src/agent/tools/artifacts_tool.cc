// The `artifacts` tool: uploads files of the workspace to the server's artifact store, or
// downloads artifacts that earlier runs of the same flow uploaded. The server hands out one
// short-lived URL per file; the agent never holds store credentials.
#include <fmt/format.h>

#include <filesystem>

#include "agent/tools/tool_util.h"

namespace kraken::tools {
namespace {

namespace fs = std::filesystem;

std::string JoinDest(const std::string& dest, const std::string& rel) {
  std::string d = dest;
  while (d.starts_with("./")) d = d.substr(2);
  while (!d.empty() && (d.back() == '/' || d == ".")) d = d == "." ? "" : d.substr(0, d.size() - 1);
  while (!d.empty() && d.front() == '/') d = d.substr(1);
  return d.empty() ? rel : d + "/" + rel;
}

StepOutcome Upload(const Json& fields, ToolContext& ctx, const std::vector<std::string>& sources,
                   const std::string& cwd, const std::string& dest) {
  auto is_public = BoolField(fields, "public", false);
  auto report_entry = StringField(fields, "report_entry");
  if (!is_public) return StepOutcome::Error("public: " + is_public.error().message);
  if (!report_entry) return StepOutcome::Error("report_entry: " + report_entry.error().message);
  Json files = Json::array();
  std::vector<std::string> locals;
  std::error_code ec;
  for (const std::string& src : sources) {
    std::vector<std::string> matched;
    if (fs::is_directory(fs::path(cwd) / src, ec))
      matched = GlobFiles(cwd, src + "/**");
    else
      matched = GlobFiles(cwd, src);
    if (matched.empty()) return StepOutcome::Error("source: nothing matches '" + src + "'");
    for (const std::string& rel : matched) {
      std::string path = JoinDest(dest, rel);
      files.push_back(Json{{"path", path}, {"size", fs::file_size(fs::path(cwd) / rel, ec)}});
      locals.push_back((fs::path(cwd) / rel).string());
    }
  }
  // A report entry (an HTML page) is shown as a link, so it is public.
  bool pub = *is_public || !report_entry->empty();
  if (!ctx.services) {
    for (const auto& f : files) ctx.reporter->Note("artifact", f);
    ctx.Log(fmt::format("artifacts: {} files would be uploaded (no server outside a job)\n",
                        files.size()));
    return StepOutcome::Done();
  }
  auto grant = ctx.services->Call(
      "artifacts/upload", Json{{"files", files}, {"public", pub}, {"report_entry", *report_entry}});
  if (!grant) return StepOutcome::Error("artifacts: " + grant.error().message);
  const Json& urls = (*grant)["files"];
  for (size_t i = 0; i < urls.size() && i < locals.size(); ++i) {
    if (ctx.cancel && ctx.cancel->cancelled()) return StepOutcome{false, -1, "cancelled", ""};
    if (auto st = ctx.services->Upload(urls[i]["url"], locals[i]); !st)
      return StepOutcome::Error("artifacts: uploading " + files[i]["path"].get<std::string>() +
                                ": " + st.error().message);
    ctx.Log(fmt::format("artifacts: uploaded {} ({} bytes)\n", files[i]["path"].get<std::string>(),
                        files[i]["size"].get<uint64_t>()));
    ctx.reporter->Note("artifact", files[i]);
  }
  return StepOutcome::Done();
}

StepOutcome Download(ToolContext& ctx, const std::vector<std::string>& sources,
                     const std::string& cwd, const std::string& dest) {
  if (!ctx.services)
    return StepOutcome::Error("artifacts: download needs a server (run it in a job)");
  auto found = ctx.services->Call("artifacts/download", Json{{"source", sources}});
  if (!found) return StepOutcome::Error("artifacts: " + found.error().message);
  std::string root = fs::path(cwd) / (dest.empty() ? "." : dest);
  for (const auto& f : (*found)["files"]) {
    std::string rel = f["path"];
    fs::path target = fs::path(root) / rel;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (auto st = ctx.services->Download(f["url"], target.string()); !st)
      return StepOutcome::Error("artifacts: downloading " + rel + ": " + st.error().message);
    ctx.Log(
        fmt::format("artifacts: downloaded {} from run {}\n", rel, f.value("run_id", int64_t{0})));
    ctx.reporter->Note("artifact", Json{{"path", rel}, {"downloaded_to", target.string()}});
  }
  return StepOutcome::Done();
}

StepOutcome RunArtifacts(const Json& fields, ToolContext& ctx) {
  auto action = StringField(fields, "action", "upload");
  auto sources = StringListField(fields, "source");
  auto dest = StringField(fields, "destination");
  auto cwd = StringField(fields, "cwd");
  if (!action) return StepOutcome::Error("action: " + action.error().message);
  if (!sources) return StepOutcome::Error("source: " + sources.error().message);
  if (!dest) return StepOutcome::Error("destination: " + dest.error().message);
  if (!cwd) return StepOutcome::Error("cwd: " + cwd.error().message);
  if (sources->empty()) return StepOutcome::Error("source: at least one path or glob is needed");
  if (*action == "upload") return Upload(fields, ctx, *sources, StepCwd(ctx, *cwd), *dest);
  if (*action == "download") return Download(ctx, *sources, StepCwd(ctx, *cwd), *dest);
  return StepOutcome::Error("action: must be upload or download");
}

}  // namespace

ToolSpec ArtifactsTool() {
  return ToolSpec{"artifacts",
                  "Uploads files to the server's artifact store, or downloads those of earlier "
                  "runs of the flow.",
                  {{"action", "string", "upload or download", "upload"},
                   {"source", "string|array",
                    "Paths or globs (`*`, `**`); a directory means all its files", nullptr, true},
                   {"destination", "string",
                    "Upload: path prefix in the store; download: local directory", "."},
                   {"cwd", "string", "Directory the sources are relative to", "."},
                   {"public", "boolean", "List the files on the run page", false},
                   {"report_entry", "string",
                    "An HTML file linked from the flow and run pages (implies public)"}},
                  RunArtifacts};
}

}  // namespace kraken::tools
