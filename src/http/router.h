// Maps method + path pattern to a handler. Patterns are literal segments and `{name}`
// captures ("/api/v1/projects/{id}"); a trailing "{rest...}" captures the rest of the path.
// Built once at start-up, then read-only: safe to use from the loop thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "http/server.h"

namespace kraken::http {

// A route that takes bodies larger than the server's default (ServerOptions::max_body_bytes).
struct BodyLimit {
  size_t max_bytes = 0;  // 0: the server's default
  // Checks the credentials in a request's header (path, params and headers are set, the
  // body is not) before a body larger than the server's default is read. An answer refuses
  // the request with it, unread; nullopt lets the body in.
  std::function<std::optional<Response>(const Request&)> admit;
};

class Router {
 public:
  using Target = std::variant<Handler, DeferredHandler, StreamHandler>;
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Target target;
    BodyLimit body_limit;
  };

  void Get(const std::string& pattern, Handler h) { Add("GET", pattern, std::move(h)); }
  void Post(const std::string& pattern, Handler h) { Add("POST", pattern, std::move(h)); }
  void Put(const std::string& pattern, Handler h) { Add("PUT", pattern, std::move(h)); }
  void Patch(const std::string& pattern, Handler h) { Add("PATCH", pattern, std::move(h)); }
  void Delete(const std::string& pattern, Handler h) { Add("DELETE", pattern, std::move(h)); }
  void Add(const std::string& method, const std::string& pattern, Target target);
  // Lets the route added as (method, pattern) take bodies up to limit.max_bytes. Throws
  // std::logic_error when there is no such route (a bug in the server's set-up).
  void SetBodyLimit(const std::string& method, const std::string& pattern, BodyLimit limit);

  // Finds the route, fills request.params. Returns nullptr and sets `status` to 404 or 405
  // when there is none.
  const Route* Find(Request& request, int& status) const;
  const Target* Match(Request& request, int& status) const {
    const Route* route = Find(request, status);
    return route ? &route->target : nullptr;
  }

  // Every route as (method, pattern), in the order they were added.
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  std::vector<Route> routes_;
};

}  // namespace kraken::http
