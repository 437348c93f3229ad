#include "agent/tools/nglint_report.h"

#include <filesystem>

namespace kraken::tools {
namespace {

// The end (one past the closing bracket) of the JSON list starting at text[start], or npos
// when it does not close: brackets inside strings do not count.
size_t ListEnd(const std::string& text, size_t start) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = start; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{')
      ++depth;
    else if ((c == ']' || c == '}') && --depth == 0)
      return i + 1;
  }
  return std::string::npos;
}

std::string RelativePath(const std::string& path, const std::string& base_dir) {
  namespace fs = std::filesystem;
  if (base_dir.empty() || !fs::path(path).is_absolute()) return path;
  fs::path rel =
      fs::path(path).lexically_normal().lexically_relative(fs::path(base_dir).lexically_normal());
  if (rel.empty() || *rel.begin() == "..") return path;
  return rel.generic_string();
}

Status AddReport(const Json& report, const std::string& base_dir, std::vector<Json>* out) {
  if (!report.is_array()) return Invalid("report", "an ESLint report is a list of files");
  for (const Json& file : report) {
    if (!file.is_object() || !file.contains("filePath") || !file["filePath"].is_string() ||
        !file.contains("messages") || !file["messages"].is_array())
      return Invalid("report", "an ESLint report lists {filePath, messages} objects");
    std::string path = RelativePath(file["filePath"].get<std::string>(), base_dir);
    for (const Json& m : file["messages"]) {
      if (!m.is_object()) continue;
      Json rule = m.value("ruleId", Json());
      int severity = m.value("severity", Json(1)).is_number_integer() ? m.value("severity", 1) : 1;
      out->push_back(Json{
          {"path", path},
          {"line", m.value("line", Json(0)).is_number_integer() ? m.value("line", 0) : 0},
          {"column", m.value("column", Json(0)).is_number_integer() ? m.value("column", 0) : 0},
          {"symbol", rule.is_string() ? rule.get<std::string>() : "fatal"},
          {"message", m.value("message", Json("")).is_string() ? m.value("message", "") : ""},
          {"type", severity >= 2 ? "error" : "warning"}});
    }
  }
  return {};
}

}  // namespace

Result<EslintIssues> ParseEslintReport(const std::string& text, const std::string& base_dir) {
  EslintIssues out;
  int reports = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t line_end = text.find('\n', pos);
    if (line_end == std::string::npos) line_end = text.size();
    size_t first = text.find_first_not_of(" \t\r", pos);
    if (first < line_end && text[first] == '[') {
      size_t end = ListEnd(text, first);
      if (end != std::string::npos) {
        Json report = Json::parse(text.begin() + first, text.begin() + end, nullptr, false);
        if (!report.is_discarded()) {
          KR_TRY(AddReport(report, base_dir, &out.issues));
          ++reports;
          pos = text.find('\n', end);
          pos = pos == std::string::npos ? text.size() : pos + 1;
          continue;
        }
      }
    }
    out.other_output.append(text, pos, std::min(line_end + 1, text.size()) - pos);
    pos = line_end + 1;
  }
  if (reports == 0)
    return Invalid("cmd",
                   "the linter printed no ESLint JSON report (a list of {filePath, messages})");
  if (!out.other_output.empty() && out.other_output.back() != '\n') out.other_output += '\n';
  return out;
}

}  // namespace kraken::tools
