#include "workflow/schema_source.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstring>
#include <list>
#include <memory>

#include "core/json_limits.h"
#include "starlark/starlark.h"
#include "starlark/strings.h"
#include "workflow/source_limits.h"

namespace kraken::workflow {
namespace {

SchemaError SourceError(const std::string& file, int line, int column, std::string message) {
  return SchemaError{"schema_code", std::move(message), file, line, column, ""};
}

// Line and column (1-based) of a byte offset.
std::pair<int, int> LineColumn(const std::string& text, size_t offset) {
  int line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

SchemaResult<Json> FromJsonText(const std::string& code, const SourceOptions& options) {
  if (auto at = FindTooDeep(code)) {
    auto [line, column] = LineColumn(code, *at);
    return tl::unexpected(
        SourceError(options.filename, line, column, "invalid JSON: " + TooDeepMessage()));
  }
  try {
    return Json::parse(code);
  } catch (const Json::parse_error& e) {
    auto [line, column] = LineColumn(code, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    if (auto colon = what.find(": ", what.find("column")); colon != std::string::npos)
      what = what.substr(colon + 2);
    return tl::unexpected(SourceError(options.filename, line, column, "invalid JSON: " + what));
  }
}

Json ScalarFromYaml(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted: always a string
  if (text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (!text.empty()) {
    try {
      size_t used = 0;
      long long i = std::stoll(text, &used, 10);
      if (used == text.size()) return static_cast<int64_t>(i);
    } catch (...) {
    }
    try {
      size_t used = 0;
      double d = std::stod(text, &used);
      if (used == text.size() && std::isfinite(d) && text.find_first_of(".eE") != std::string::npos)
        return d;
    } catch (...) {
    }
  }
  return text;
}

// Turns YAML nodes into JSON within budgets. yaml-cpp shares an anchored node among its
// aliases, so a few hundred bytes of aliases of aliases can stand for billions of nodes:
// every node made counts, each time an alias is expanded, and so do the bytes of scalars.
class YamlToJson {
 public:
  explicit YamlToJson(const SourceOptions& options) : options_(options) {}

  SchemaResult<Json> Convert(const YAML::Node& node, size_t depth = 0) {
    if (++nodes_ > kMaxYamlNodes)
      return Refuse(node, fmt::format("it expands to more than {} nodes, the limit (each use of "
                                      "an alias counts)",
                                      kMaxYamlNodes));
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Scalar:
        if (!CountBytes(node.Scalar())) return Refuse(node, TooManyBytes());
        return ScalarFromYaml(node);
      case YAML::NodeType::Sequence:
      case YAML::NodeType::Map:
        break;
    }
    if (depth >= kMaxJsonDepth) return Refuse(node, TooDeepMessage());
    if (node.IsSequence()) {
      Json out = Json::array();
      for (const auto& item : node) {
        auto v = Convert(item, depth + 1);
        if (!v) return v;
        out.push_back(std::move(*v));
      }
      return out;
    }
    Json out = Json::object();
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      if (!CountBytes(key)) return Refuse(kv.first, TooManyBytes());
      auto v = Convert(kv.second, depth + 1);
      if (!v) return v;
      out[key] = std::move(*v);
    }
    return out;
  }

 private:
  bool CountBytes(const std::string& text) {
    scalar_bytes_ += text.size();
    return scalar_bytes_ <= kMaxYamlScalarBytes;
  }
  static std::string TooManyBytes() {
    return fmt::format(
        "its text expands to more than {} bytes, the limit (each use of an alias counts)",
        kMaxYamlScalarBytes);
  }
  SchemaResult<Json> Refuse(const YAML::Node& node, const std::string& why) const {
    YAML::Mark mark = node.Mark();
    return tl::unexpected(
        SourceError(options_.filename, mark.line + 1, mark.column + 1, "invalid YAML: " + why));
  }

  const SourceOptions& options_;
  size_t nodes_ = 0;
  size_t scalar_bytes_ = 0;
};

// YAML text must be UTF-8 (as JSON strings must) of YAML's printable characters: the first
// byte that is not part of a valid sequence, and the first control character other than
// tab, line feed and carriage return (a NUL, say), are refused at their line and column
// before yaml-cpp reads the text.
SchemaResult<Json> RefuseUnreadableText(const std::string& code, const SourceOptions& options) {
  int line = 1, column = 1;
  for (size_t i = 0; i < code.size();) {
    uint32_t rune = 0;
    int len = starlark::DecodeUtf8(code, i, &rune);
    if (len == 0)
      return tl::unexpected(
          SourceError(options.filename, line, column, "invalid YAML: the text is not valid UTF-8"));
    const bool control = (rune < 0x20 && rune != '\t' && rune != '\n' && rune != '\r') ||
                         rune == 0x7F || (rune >= 0x80 && rune < 0xA0 && rune != 0x85) ||
                         rune == 0xFFFE || rune == 0xFFFF;
    if (control)
      return tl::unexpected(SourceError(
          options.filename, line, column,
          fmt::format("invalid YAML: the control character U+{:04X} is not allowed", rune)));
    if (rune == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += len;
  }
  return Json();
}

SchemaResult<Json> FromYamlText(const std::string& code, const SourceOptions& options) {
  if (auto text = RefuseUnreadableText(code, options); !text) return text;
  try {
    return YamlToJson(options).Convert(YAML::Load(code));
  } catch (const YAML::Exception& e) {
    return tl::unexpected(SourceError(options.filename, e.mark.line + 1, e.mark.column + 1,
                                      "invalid YAML: " + e.msg));
  }
}

SchemaError FromStarlark(const starlark::Error& e, const SourceOptions& options) {
  SchemaError out =
      SourceError(e.file.empty() ? options.filename : e.file, e.line, e.column, e.message);
  out.backtrace = e.backtrace;
  return out;
}

// Loaded modules by filename and code: a stage's code is parsed and its top level run once,
// then each run start only calls stage(ctx) (module globals are frozen, so a call cannot
// change them). Per thread, because modules use non-atomic reference counts.
class ModuleCache {
 public:
  tl::expected<std::shared_ptr<starlark::Module>, starlark::Error> Get(
      const std::string& code, const SourceOptions& options) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->code != code || it->filename != options.filename) continue;
      entries_.splice(entries_.begin(), entries_, it);  // most recently used first
      return entries_.front().module;
    }
    auto module = starlark::Module::Load(code, options.filename, {}, options.starlark);
    if (!module) return tl::unexpected(module.error());
    entries_.push_front(
        Entry{options.filename, code, std::make_shared<starlark::Module>(std::move(*module))});
    if (entries_.size() > kCapacity) entries_.pop_back();
    return entries_.front().module;
  }

 private:
  struct Entry {
    std::string filename, code;
    std::shared_ptr<starlark::Module> module;
  };
  static constexpr size_t kCapacity = 64;
  std::list<Entry> entries_;
};

// At save, what is only known at run time reads as unknown: flow, run and their labels (null
// then), the arguments (a flow may give any) and user data (the data tool changes it).
starlark::LenientFields SaveTimeLenience() {
  return [](const std::string& name) {
    if (name == "ctx.args") return true;
    for (const char* data : {".data", ".data_ci", ".data_dev"}) {
      size_t at = name.find(data);
      size_t end = at == std::string::npos ? at : at + std::strlen(data);
      if (at != std::string::npos && (end == name.size() || name[end] == '.')) return true;
    }
    return false;
  };
}

SchemaResult<Json> FromStarlarkText(const std::string& code, const Json& ctx,
                                    const SourceOptions& options) {
  thread_local ModuleCache cache;
  // Frees the cycles of the evaluation, the result's included, once it is JSON.
  starlark::Heap heap;
  auto module = options.cache_modules
                    ? cache.Get(code, options)
                    : starlark::Module::Load(code, options.filename, {}, options.starlark)
                          .map([](starlark::Module m) {
                            return std::make_shared<starlark::Module>(std::move(m));
                          });
  if (!module) return tl::unexpected(FromStarlark(module.error(), options));
  const starlark::Value* stage = (*module)->Global("stage");
  if (!stage)
    return tl::unexpected(
        SourceError(options.filename, 1, 1, "the schema must define a function `def stage(ctx):`"));
  auto result = (*module)->Call(
      "stage",
      {starlark::StructFromJson("ctx", ctx, options.lenient_ctx ? SaveTimeLenience() : nullptr)});
  if (!result) return tl::unexpected(FromStarlark(result.error(), options));
  auto json = starlark::ToJson(*result, options.starlark);
  if (!json)
    return tl::unexpected(
        SchemaError{"", "stage() returned a value that is not plain data: " + json.error().message,
                    "", 0, 0, ""});
  return std::move(*json);
}

}  // namespace

SchemaResult<std::string> ResolveFormat(const std::string& code, const std::string& requested) {
  if (requested == kFormatStarlark || requested == "python") return std::string(kFormatStarlark);
  if (requested == kFormatJson || requested == kFormatYaml) return requested;
  if (!requested.empty())
    return SchemaFail("schema_format", "must be starlark, json or yaml, not '" + requested + "'");
  if (code.find("def stage(") != std::string::npos) return std::string(kFormatStarlark);
  size_t first = code.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && code[first] == '{') return std::string(kFormatJson);
  return std::string(kFormatYaml);
}

SchemaResult<Json> EvaluateSource(const std::string& code, const std::string& format,
                                  const Json& ctx, const SourceOptions& options) {
  if (code.size() > kMaxStageCodeBytes)
    return SchemaFail("schema_code", fmt::format("is {} bytes, more than the limit of {}",
                                                 code.size(), kMaxStageCodeBytes));
  SchemaResult<Json> raw;
  if (format == kFormatStarlark)
    raw = FromStarlarkText(code, ctx, options);
  else if (format == kFormatJson)
    raw = FromJsonText(code, options);
  else if (format == kFormatYaml)
    raw = FromYamlText(code, options);
  else
    return SchemaFail("schema_format", "must be starlark, json or yaml");
  if (!raw) return raw;
  if (!raw->is_object())
    return SchemaFail("", std::string("a stage schema must be a dict, not ") + raw->type_name());
  if (JsonDepth(*raw) > kMaxJsonDepth)
    return SchemaFail("", "the stage dict is " + TooDeepMessage());
  return raw;
}

}  // namespace kraken::workflow
