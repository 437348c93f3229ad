#include "http/router.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>

namespace kraken::http {
namespace {

constexpr std::string_view kRestSuffix = "...}";

bool IsCapture(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

bool IsRest(const std::string& segment) {
  return IsCapture(segment) && segment.size() > kRestSuffix.size() + 1 &&
         segment.ends_with(kRestSuffix);
}

// "/a/b/" -> {"a", "b", ""}; "/" -> {}. Trailing slashes are significant.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path == "/") return segments;
  if (path.front() == '/') path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

// How specifically a pattern segment matched: literals beat captures beat the rest.
enum Rank { kRestRank = 0, kCaptureRank = 1, kLiteralRank = 2 };

}  // namespace

void Router::Add(const std::string& method, const std::string& pattern, Target target) {
  Route route;
  route.method = method;
  for (std::string_view segment : SplitPath(pattern)) route.segments.emplace_back(segment);
  route.target = std::move(target);
  routes_.push_back(std::move(route));
}

void Router::SetBodyLimit(const std::string& method, const std::string& pattern, BodyLimit limit) {
  std::vector<std::string_view> segments = SplitPath(pattern);
  for (Route& route : routes_) {
    if (route.method == method && std::equal(route.segments.begin(), route.segments.end(),
                                             segments.begin(), segments.end())) {
      route.body_limit = std::move(limit);
      return;
    }
  }
  throw std::logic_error("no route " + method + " " + pattern + " to set a body limit on");
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Route& route : routes_) {
    std::string pattern;
    for (const std::string& segment : route.segments) pattern += "/" + segment;
    out.emplace_back(route.method, pattern.empty() ? "/" : pattern);
  }
  return out;
}

const Router::Route* Router::Find(Request& request, int& status) const {
  std::vector<std::string_view> path = SplitPath(request.path);
  const Route* best = nullptr;
  std::vector<int> best_ranks;
  bool path_known = false;
  std::vector<int> ranks;
  for (const Route& route : routes_) {
    ranks.clear();
    bool matched = true;
    size_t i = 0;
    for (; i < route.segments.size(); ++i) {
      const std::string& segment = route.segments[i];
      if (IsRest(segment)) {
        ranks.push_back(kRestRank);
        i = path.size();
        break;
      }
      if (i >= path.size()) {
        matched = false;
        break;
      }
      if (IsCapture(segment)) {
        // A capture needs a value: "/projects/" does not match "/projects/{id}".
        if (path[i].empty()) {
          matched = false;
          break;
        }
        ranks.push_back(kCaptureRank);
      } else if (segment == path[i]) {
        ranks.push_back(kLiteralRank);
      } else {
        matched = false;
        break;
      }
    }
    if (!matched || i != path.size()) continue;
    path_known = true;
    if (route.method != request.method) continue;
    if (best == nullptr || ranks > best_ranks) {
      best = &route;
      best_ranks = ranks;
    }
  }
  if (best == nullptr) {
    status = path_known ? 405 : 404;
    return nullptr;
  }

  request.params.clear();
  for (size_t i = 0; i < best->segments.size(); ++i) {
    const std::string& segment = best->segments[i];
    if (IsRest(segment)) {
      std::string name = segment.substr(1, segment.size() - 1 - kRestSuffix.size());
      std::string rest;
      for (size_t j = i; j < path.size(); ++j) {
        if (j > i) rest.push_back('/');
        rest.append(path[j]);
      }
      request.params[name] = std::move(rest);
      break;
    }
    if (IsCapture(segment)) {
      request.params[segment.substr(1, segment.size() - 2)] = std::string(path[i]);
    }
  }
  status = 200;
  return best;
}

}  // namespace kraken::http
