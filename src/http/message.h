// Plain HTTP request/response values that the rest of the server sees: no Beast or Asio
// types leak past the networking files. Value types; not synchronised.
#pragma once

#include <any>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kraken::http {

struct Request {
  std::string method;                        // "GET", "POST", ...
  std::string target;                        // as received: path plus query string
  std::string path;                          // percent-decoded path, no query
  std::map<std::string, std::string> query;  // decoded query parameters (last one wins)
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;
  std::map<std::string, std::string> params;  // path parameters filled by the router
  // What ServerOptions::prepare_body made of a large body on a worker thread, if anything.
  std::any prepared;

  // Header value by lower-case name, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
  // Query parameter, or `fallback` when absent.
  std::string Query(const std::string& name, const std::string& fallback = {}) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is what this returns, called on one of the server's worker threads
  // (ServerOptions::prepare_threads) rather than on the loop: serialising a large answer
  // does not hold up other requests. It must own everything it reads. Should it throw, the
  // answer is a 500.
  std::function<std::string()> render;

  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
};

}  // namespace kraken::http
