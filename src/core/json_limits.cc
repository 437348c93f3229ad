#include "core/json_limits.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace kraken {

std::optional<size_t> FindTooDeep(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character cannot end the string
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

std::string TooDeepMessage(size_t max_depth) {
  return "nested deeper than " + std::to_string(max_depth) + " levels, the limit";
}

Result<Json> ParseJson(std::string_view text, size_t max_depth) {
  if (FindTooDeep(text, max_depth)) return Invalid("", TooDeepMessage(max_depth));
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {  // parse_error, and out_of_range for a number like 1e400
    std::string what = e.what();
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, ...: ..."
    if (auto end = what.find("] "); end != std::string::npos) what = what.substr(end + 2);
    return Invalid("", "not valid JSON: " + what);
  }
}

size_t JsonDepth(const Json& value) {
  size_t deepest = 0;
  std::vector<std::pair<const Json*, size_t>> pending = {{&value, 0}};
  while (!pending.empty()) {
    auto [v, depth] = pending.back();
    pending.pop_back();
    if (!v->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const Json& child : *v)
      if (child.is_structured()) pending.emplace_back(&child, depth + 1);
  }
  return deepest;
}

}  // namespace kraken
