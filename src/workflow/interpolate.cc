#include "workflow/interpolate.h"

#include <cctype>

#include "starlark/strings.h"

namespace kraken::workflow {
namespace {

bool IsIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n"), e = s.find_last_not_of(" \t\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The index of the `}` closing an expression that starts at `from`, skipping nested braces
// and quoted strings; npos if unclosed.
size_t ClosingBrace(const std::string& s, size_t from) {
  int depth = 0;
  char quote = 0;
  for (size_t i = from; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '{' || c == '[' || c == '(') {
      ++depth;
    } else if (c == ']' || c == ')') {
      --depth;
    } else if (c == '}') {
      if (depth == 0) return i;
      --depth;
    }
  }
  return std::string::npos;
}

}  // namespace

starlark::Options Interpolator::DefaultOptions() {
  starlark::Options o;
  o.time_limit = std::chrono::milliseconds(200);
  o.memory_limit = 8 << 20;
  return o;
}

Interpolator::Interpolator(Json ctx, Json legacy, starlark::Options options)
    : ctx_(std::move(ctx)), legacy_(std::move(legacy)), options_(std::move(options)) {}

const starlark::Globals& Interpolator::Globals() {
  if (!globals_) {
    starlark::Globals g;
    g.emplace_back("ctx", starlark::StructFromJson("ctx", ctx_));
    for (auto it = ctx_.begin(); it != ctx_.end(); ++it)
      g.emplace_back(it.key(), starlark::StructFromJson(it.key(), it.value()));
    globals_ = std::move(g);
  }
  return *globals_;
}

Result<starlark::Value> Interpolator::Evaluate(const std::string& expression,
                                               const std::string& field) {
  auto v = starlark::EvalExpression(expression, Globals(), options_);
  if (!v) {
    // The message quotes a long expression only in part: the error's column locates it.
    constexpr size_t kQuoted = 80;
    std::string quoted =
        expression.size() <= kQuoted ? expression : expression.substr(0, kQuoted) + "...";
    const starlark::Error& e = v.error();
    std::string where = e.line > 0 ? " (line " + std::to_string(e.line) + ", column " +
                                         std::to_string(e.column) + ")"
                                   : "";
    return Invalid(field, "in '" + starlark::ValidUtf8(quoted) + "'" + where + ": " + e.message);
  }
  return *v;
}

Result<std::string> Interpolator::ExpandString(const std::string& text, const std::string& field) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t start = text.find("#{", pos);
    if (start == std::string::npos) break;
    size_t end = ClosingBrace(text, start + 2);
    if (end == std::string::npos) return Invalid(field, "unclosed #{ in '" + text + "'");
    out.append(text, pos, start - pos);
    std::string inner = Trim(text.substr(start + 2, end - start - 2));
    if (IsIdentifier(inner) && legacy_.contains(inner)) {
      const Json& v = legacy_[inner];
      out += v.is_string() ? v.get<std::string>()
                           : v.dump(-1, ' ', false, Json::error_handler_t::replace);
    } else {
      if (inner.empty()) return Invalid(field, "empty #{} in '" + text + "'");
      starlark::Heap heap;  // frees a cycle the value may hold once it is text
      KR_ASSIGN(auto value, Evaluate(inner, field));
      out += starlark::ValidUtf8(starlark::Str(value));  // the text becomes a JSON string
    }
    pos = end + 1;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

Result<Json> Interpolator::Expand(const Json& value, const std::string& field) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (!HasInterpolation(s)) return value;
    KR_ASSIGN(auto text, ExpandString(s, field));
    return Json(std::move(text));
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (size_t i = 0; i < value.size(); ++i) {
      KR_ASSIGN(auto v, Expand(value[i], field + "[" + std::to_string(i) + "]"));
      out.push_back(std::move(v));
    }
    return out;
  }
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      KR_ASSIGN(auto v, Expand(it.value(), field.empty() ? it.key() : field + "." + it.key()));
      out[it.key()] = std::move(v);
    }
    return out;
  }
  return value;
}

bool HasInterpolation(const std::string& text) { return text.find("#{") != std::string::npos; }

Json MaskSecrets(const Json& value, const std::vector<std::string>& secrets) {
  if (value.is_string()) {
    std::string s = value.get<std::string>();
    for (const auto& secret : secrets) {
      if (secret.empty()) continue;
      for (size_t p = s.find(secret); p != std::string::npos; p = s.find(secret, p + 6))
        s.replace(p, secret.size(), "******");
    }
    return s;
  }
  if (value.is_array() || value.is_object()) {
    Json out = value;
    for (auto& v : out) v = MaskSecrets(v, secrets);
    return out;
  }
  return value;
}

}  // namespace kraken::workflow
