#include "cli/schema_check.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "workflow/context.h"
#include "workflow/stage_schema.h"

namespace kraken::cli {
namespace {

bool ReadFile(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  text = s.str();
  return true;
}

}  // namespace

int SchemaCheck(const SchemaCheckOptions& options, std::ostream& out, std::ostream& err) {
  std::string code;
  if (!ReadFile(options.file, code)) {
    err << "kraken: cannot read " << options.file << "\n";
    return 2;
  }
  Json ctx = workflow::SampleContext();
  if (!options.ctx_file.empty()) {
    std::string text;
    if (!ReadFile(options.ctx_file, text)) {
      err << "kraken: cannot read " << options.ctx_file << "\n";
      return 2;
    }
    Json given = Json::parse(text, nullptr, false);
    if (given.is_discarded() || !given.is_object()) {
      err << "kraken: " << options.ctx_file << " is not a JSON object\n";
      return 2;
    }
    // The file's fields replace the default ones, so a ctx file may give just `flow`.
    for (auto& [k, v] : given.items()) ctx[k] = v;
  }
  std::string requested = options.format;
  std::string ext = std::filesystem::path(options.file).extension().string();
  if (requested.empty()) {
    if (ext == ".json")
      requested = "json";
    else if (ext == ".yaml" || ext == ".yml")
      requested = "yaml";
    else if (ext == ".star" || ext == ".py" || ext == ".bzl")
      requested = "starlark";
  }
  auto format = workflow::ResolveFormat(code, requested);
  if (!format) {
    err << format.error().ToString() << "\n";
    return 1;
  }
  workflow::SourceOptions source;
  source.filename = options.file;
  // Without a flow the check is the save-time one, as lenient as the server's.
  source.lenient_ctx = ctx.value("flow", Json()).is_null();
  auto stage = workflow::EvaluateStage(code, *format, ctx, source);
  if (!stage) {
    const auto& e = stage.error();
    if (e.line > 0)
      err << e.file << ":" << e.line << ":" << e.column << ": error: " << e.message << "\n";
    else
      err << options.file << ": error: " << (e.field.empty() ? "" : e.field + ": ") << e.message
          << "\n";
    if (e.backtrace.starts_with("Traceback")) err << e.backtrace << "\n";
    return 1;
  }
  out << stage->schema.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
  return 0;
}

}  // namespace kraken::cli
