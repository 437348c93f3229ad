// The OpenAPI document served at /api/v1/openapi.json describes exactly the REST routes the
// server answers: no route missing from it, no documented path that is not served.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "core/json.h"
#include "server/app.h"

namespace kraken::api {
extern const char kOpenApiDocument[];
}

namespace kraken::server {
namespace {

// "/jobs/{id}/steps/{idx}/log" → "/jobs/{}/steps/{}/log": parameter names may differ.
std::string Shape(const std::string& path) {
  static const std::regex param(R"(\{[^}]*\})");
  return std::regex_replace(path, param, "{}");
}

TEST(OpenApiRoutesTest, TheDocumentDescribesEveryRestRouteAndNoOther) {
  auto dir =
      std::filesystem::temp_directory_path() / ("kraken-openapi-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ServerConfig config;
  config.data_dir = dir.string();
  config.port = 0;
  config.admin_password = "test-password";
  App app(config);
  auto started = app.Start();
  ASSERT_TRUE(started) << started.error().message;

  std::set<std::string> served, served_rest;
  for (const auto& [method, pattern] : app.routes()) {
    std::string lower = method;
    for (char& c : lower) c = static_cast<char>(std::tolower(c));
    served.insert(lower + " " + Shape(pattern));
    if (pattern.starts_with("/api/v1/")) served_rest.insert(lower + " " + Shape(pattern));
  }
  ASSERT_GT(served_rest.size(), 40u);

  // Paths are relative to the document's server (/api/v1) unless an operation names its own
  // (GET /metrics is at the root).
  Json doc = Json::parse(api::kOpenApiDocument);
  ASSERT_EQ(doc["servers"][0]["url"], "/api/v1");
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items()) {
      if (method == "parameters" || method == "servers") continue;
      std::string base =
          op.contains("servers") ? op["servers"][0]["url"].get<std::string>() : "/api/v1";
      if (base.ends_with("/")) base.pop_back();
      documented.insert(method + " " + Shape(base + path));
    }

  for (const std::string& route : served_rest)
    EXPECT_TRUE(documented.count(route)) << route << " is served but not in docs/openapi.json";
  for (const std::string& route : documented)
    EXPECT_TRUE(served.count(route)) << route << " is in docs/openapi.json but not served";
  app.Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kraken::server
