// Maps method + path pattern to a handler. Patterns are literal segments and `{name}`
// captures ("/api/v1/projects/{id}"); a trailing "{rest...}" captures the rest of the path.
// Built once at start-up, then read-only: safe to use from the loop thread.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "http/server.h"

namespace kraken::http {

class Router {
 public:
  using Target = std::variant<Handler, DeferredHandler, StreamHandler>;

  void Get(const std::string& pattern, Handler h) { Add("GET", pattern, std::move(h)); }
  void Post(const std::string& pattern, Handler h) { Add("POST", pattern, std::move(h)); }
  void Put(const std::string& pattern, Handler h) { Add("PUT", pattern, std::move(h)); }
  void Patch(const std::string& pattern, Handler h) { Add("PATCH", pattern, std::move(h)); }
  void Delete(const std::string& pattern, Handler h) { Add("DELETE", pattern, std::move(h)); }
  void Add(const std::string& method, const std::string& pattern, Target target);

  // Finds the route, fills request.params. Returns nullptr and sets `status` to 404 or 405
  // when there is none.
  const Target* Match(Request& request, int& status) const;

  // Every route as (method, pattern), in the order they were added.
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Target target;
  };
  std::vector<Route> routes_;
};

}  // namespace kraken::http
