#include "core/glob.h"

#include <vector>

namespace kraken {
namespace {

std::vector<std::string_view> Segments(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= s.size()) {
    size_t slash = s.find('/', start);
    if (slash == std::string_view::npos) slash = s.size();
    if (slash > start && s.substr(start, slash - start) != ".")
      parts.push_back(s.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool MatchSegment(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool Match(const std::vector<std::string_view>& ps, size_t i,
           const std::vector<std::string_view>& ss, size_t j) {
  if (i == ps.size()) return j == ss.size();
  if (ps[i] == "**") {
    for (size_t k = j; k <= ss.size(); ++k)
      if (Match(ps, i + 1, ss, k)) return true;
    return false;
  }
  return j < ss.size() && MatchSegment(ps[i], ss[j]) && Match(ps, i + 1, ss, j + 1);
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  return Match(Segments(pattern), 0, Segments(path), 0);
}

}  // namespace kraken
