#include "http/target.h"

namespace kraken::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> ParseTarget(std::string_view target, std::string& path,
                                       std::map<std::string, std::string>& query) {
  if (target.empty() || target[0] != '/') return "the request target must start with '/'";
  size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  std::string_view raw_query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  // Fragments are never sent by clients; tolerate one by dropping it.
  if (size_t hash = raw_query.find('#'); hash != std::string_view::npos) {
    raw_query = raw_query.substr(0, hash);
  }

  // Segments are checked after decoding, so "%2e%2e" and "%2F" cannot sneak past.
  auto decoded = PercentDecode(raw_path, false);
  if (!decoded) return "the request path has a malformed percent-escape";
  if (decoded->find('\0') != std::string::npos) return "the request path contains a NUL byte";
  size_t start = 1;
  while (start <= decoded->size()) {
    size_t end = decoded->find('/', start);
    if (end == std::string::npos) end = decoded->size();
    std::string_view segment(decoded->data() + start, end - start);
    if (segment == "." || segment == "..") return "the request path has a '.' or '..' segment";
    start = end + 1;
  }
  path = std::move(*decoded);

  query.clear();
  while (!raw_query.empty()) {
    size_t amp = raw_query.find('&');
    std::string_view pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view() : raw_query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!name || !value) return "the query string has a malformed percent-escape";
    query[std::move(*name)] = std::move(*value);
  }
  return std::nullopt;
}

}  // namespace kraken::http
