#include "http/target.h"

#include <gtest/gtest.h>

#include "http/error_response.h"

namespace kraken::http {
namespace {

TEST(TargetTest, DecodesPathAndQuery) {
  std::string path;
  std::map<std::string, std::string> query;
  EXPECT_FALSE(ParseTarget("/a%20b/c+d?x=1&name=a+b%2Fc&flag&x=2", path, query));
  EXPECT_EQ(path, "/a b/c+d");
  EXPECT_EQ(query.at("x"), "2");  // the last one wins
  EXPECT_EQ(query.at("name"), "a b/c");
  EXPECT_EQ(query.at("flag"), "");
}

TEST(TargetTest, RefusesMalformedTargets) {
  std::string path;
  std::map<std::string, std::string> query;
  EXPECT_TRUE(ParseTarget("", path, query));
  EXPECT_TRUE(ParseTarget("http://example.com/", path, query));
  EXPECT_TRUE(ParseTarget("/a%2", path, query));
  EXPECT_TRUE(ParseTarget("/a%zz", path, query));
  EXPECT_TRUE(ParseTarget("/a%00b", path, query));
  EXPECT_TRUE(ParseTarget("/?q=%g1", path, query));
}

TEST(TargetTest, RefusesDotSegmentsEvenEncoded) {
  std::string path;
  std::map<std::string, std::string> query;
  EXPECT_TRUE(ParseTarget("/ui/../etc/passwd", path, query));
  EXPECT_TRUE(ParseTarget("/ui/%2e%2e/etc", path, query));
  EXPECT_TRUE(ParseTarget("/ui/..%2Fetc", path, query));
  EXPECT_TRUE(ParseTarget("/ui/.", path, query));
  EXPECT_FALSE(ParseTarget("/ui/..a/.b", path, query));
}

TEST(ErrorResponseTest, EscapesTheMessage) {
  Response response = ErrorResponse(404, "not_found", "no \"x\"\n\x01");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, R"({"error": {"code": "not_found", "message": "no \"x\"\n\u0001"}})");
}

}  // namespace
}  // namespace kraken::http
