#include "http/router.h"

#include <gtest/gtest.h>

namespace kraken::http {
namespace {

Handler Named(std::string name) {
  return [name](Request&) { return Response::Text(200, name); };
}

// Matches and runs the plain handler found, returning its body, or "<status>".
std::string Route(const Router& router, std::string method, std::string path,
                  Request* out = nullptr) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  int status = 0;
  const Router::Target* target = router.Match(request, status);
  if (out) *out = request;
  if (target == nullptr) return "<" + std::to_string(status) + ">";
  EXPECT_EQ(status, 200);
  return std::get<Handler>(*target)(request).body;
}

TEST(RouterTest, MatchesLiteralPaths) {
  Router router;
  router.Get("/", Named("root"));
  router.Get("/api/v1/projects", Named("projects"));
  EXPECT_EQ(Route(router, "GET", "/"), "root");
  EXPECT_EQ(Route(router, "GET", "/api/v1/projects"), "projects");
  EXPECT_EQ(Route(router, "GET", "/api/v1/projects/"), "<404>");
  EXPECT_EQ(Route(router, "GET", "/api/v1"), "<404>");
  EXPECT_EQ(Route(router, "GET", "/api/v1/projects/x"), "<404>");
}

TEST(RouterTest, FillsCaptures) {
  Router router;
  router.Get("/projects/{project}/branches/{branch}", Named("branch"));
  Request request;
  EXPECT_EQ(Route(router, "GET", "/projects/7/branches/main", &request), "branch");
  EXPECT_EQ(request.params.at("project"), "7");
  EXPECT_EQ(request.params.at("branch"), "main");
  EXPECT_EQ(Route(router, "GET", "/projects//branches/main"), "<404>");
}

TEST(RouterTest, RestCapturesTheRemainder) {
  Router router;
  router.Get("/ui/{path...}", Named("ui"));
  Request request;
  EXPECT_EQ(Route(router, "GET", "/ui/js/app.js", &request), "ui");
  EXPECT_EQ(request.params.at("path"), "js/app.js");
  EXPECT_EQ(Route(router, "GET", "/ui/", &request), "ui");
  EXPECT_EQ(request.params.at("path"), "");
  EXPECT_EQ(Route(router, "GET", "/ui", &request), "ui");
  EXPECT_EQ(request.params.at("path"), "");
  EXPECT_EQ(Route(router, "GET", "/other"), "<404>");
}

TEST(RouterTest, LiteralBeatsCaptureBeatsRest) {
  Router router;
  router.Get("/{rest...}", Named("rest"));
  router.Get("/runs/{id}", Named("run"));
  router.Get("/runs/latest", Named("latest"));
  EXPECT_EQ(Route(router, "GET", "/runs/latest"), "latest");
  EXPECT_EQ(Route(router, "GET", "/runs/12"), "run");
  EXPECT_EQ(Route(router, "GET", "/runs/12/logs"), "rest");
  EXPECT_EQ(Route(router, "GET", "/"), "rest");
}

TEST(RouterTest, WrongMethodIs405UnknownPathIs404) {
  Router router;
  router.Get("/jobs/{id}", Named("get"));
  router.Delete("/jobs/{id}", Named("delete"));
  EXPECT_EQ(Route(router, "DELETE", "/jobs/3"), "delete");
  EXPECT_EQ(Route(router, "POST", "/jobs/3"), "<405>");
  EXPECT_EQ(Route(router, "POST", "/nothing"), "<404>");
}

TEST(RouterTest, HoldsEveryHandlerShape) {
  Router router;
  router.Add("GET", "/poll", DeferredHandler([](Request&, std::shared_ptr<Responder>) {}));
  router.Add("GET", "/logs", StreamHandler([](Request&, std::shared_ptr<StreamWriter>) {}));
  Request request;
  request.method = "GET";
  request.path = "/poll";
  int status = 0;
  const Router::Target* target = router.Match(request, status);
  ASSERT_NE(target, nullptr);
  EXPECT_TRUE(std::holds_alternative<DeferredHandler>(*target));
  request.path = "/logs";
  target = router.Match(request, status);
  ASSERT_NE(target, nullptr);
  EXPECT_TRUE(std::holds_alternative<StreamHandler>(*target));
}

}  // namespace
}  // namespace kraken::http
