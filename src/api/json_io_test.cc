// The edge helpers every handler reads its path, query and credentials with.
#include "api/json_io.h"

#include <gtest/gtest.h>

namespace kraken::api {
namespace {

http::Request WithQuery(const std::string& name, const std::string& value) {
  http::Request r;
  r.query[name] = value;
  return r;
}

TEST(ToInteger, TakesTheWholeTextAsADecimalInteger) {
  EXPECT_EQ(ToInteger("0"), 0);
  EXPECT_EQ(ToInteger("42"), 42);
  EXPECT_EQ(ToInteger("-7"), -7);
  EXPECT_EQ(ToInteger("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", " 1", "1 ", "+1", "1x", "0x10", "1.5", "9223372036854775808", "-"})
    EXPECT_EQ(ToInteger(bad), std::nullopt) << bad;
}

TEST(QueryInteger, FallsBackWhenAbsentAndNamesTheParameterWhenBad) {
  http::Request none;
  EXPECT_EQ(*QueryInteger(none, "offset", 5, 0, 10, "must be 0 to 10"), 5);
  EXPECT_EQ(*QueryInteger(WithQuery("offset", "10"), "offset", 5, 0, 10, "must be 0 to 10"), 10);
  for (const char* bad : {"11", "-1", "abc", "99999999999999999999"}) {
    auto r = QueryInteger(WithQuery("offset", bad), "offset", 5, 0, 10, "must be 0 to 10");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    EXPECT_EQ(r.error().field, "offset");
    EXPECT_EQ(r.error().message, "must be 0 to 10");
  }
}

TEST(IdParam, IsAPositiveInteger) {
  http::Request r;
  r.params["id"] = "12";
  EXPECT_EQ(*IdParam(r, "id"), 12);
  for (const char* bad : {"0", "-3", "1e3", "", "12a", "99999999999999999999"}) {
    r.params["id"] = bad;
    auto id = IdParam(r, "id");
    ASSERT_FALSE(id) << bad;
    EXPECT_EQ(id.error().message, "'" + std::string(bad) + "' is not a valid id");
  }
  EXPECT_EQ(IdParam(http::Request(), "id").error().message, "missing path parameter");
}

TEST(BearerToken, ReadsOnlyTheBearerScheme) {
  http::Request r;
  EXPECT_EQ(BearerToken(r), "");
  r.headers = {{"authorization", "Bearer kkt_abc"}};
  EXPECT_EQ(BearerToken(r), "kkt_abc");
  r.headers = {{"authorization", "Basic YTpi"}};
  EXPECT_EQ(BearerToken(r), "");
  r.headers = {{"authorization", "bearer kkt_abc"}};  // the scheme's name in any case
  EXPECT_EQ(BearerToken(r), "kkt_abc");
  r.headers = {{"authorization", "Bearerkkt_abc"}};
  EXPECT_EQ(BearerToken(r), "");
}

TEST(TooLarge, Is413WithTheUsualErrorBody) {
  http::Response res = TooLarge("send less", "items");
  EXPECT_EQ(res.status, 413);
  Json body = Json::parse(res.body);
  EXPECT_EQ(body["error"]["code"], "too_large");
  EXPECT_EQ(body["error"]["message"], "send less");
  EXPECT_EQ(body["error"]["field"], "items");
  EXPECT_EQ(Json::parse(TooLarge("x").body)["error"]["field"], "body");
}

TEST(PrepareJsonBody, ParseObjectTakesThePreparedValueOnceAndAgreesWithParsing) {
  http::Request request;
  request.body = R"({"name": "n", "list": [1, 2]})";
  PrepareJsonBody(request);
  ASSERT_TRUE(request.prepared.has_value());
  auto first = ParseObject(request);
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)["list"][1], 2);
  auto again = ParseObject(request);  // parsed from the body this time
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);

  http::Request bad;
  bad.body = R"({"name": )";
  PrepareJsonBody(bad);
  auto error = ParseObject(bad);
  ASSERT_FALSE(error);
  EXPECT_EQ(error.error().field, "body");

  http::Request blob;
  blob.body = std::string("\x89PNG\r\n", 6);
  PrepareJsonBody(blob);
  EXPECT_FALSE(blob.prepared.has_value());
}

TEST(JsonResponseTest, CountsNodesOnlyAsFarAsTheLimit) {
  EXPECT_FALSE(HasMoreNodesThan(Json(1), 1));
  EXPECT_TRUE(HasMoreNodesThan(Json::array({1}), 1));
  Json nested = {{"a", {1, 2, {{"b", 3}}}}};  // object, array, 1, 2, object, 3
  EXPECT_FALSE(HasMoreNodesThan(nested, 6));
  EXPECT_TRUE(HasMoreNodesThan(nested, 5));
  EXPECT_TRUE(HasMoreNodesThan(Json(std::vector<int>(1'000'000, 7)), 10));
}

TEST(JsonResponseTest, ALargeAnswerIsRenderedLaterAndTheSame) {
  Json small = {{"items", Json::array({1, 2, 3})}};
  auto a = JsonResponse(200, small);
  EXPECT_FALSE(a.render);
  EXPECT_EQ(a.body, small.dump());

  Json large = Json::array();
  for (int i = 0; i < 5000; ++i) large.push_back({{"id", i}, {"name", "\xff job"}});
  std::string expected = large.dump(-1, ' ', false, Json::error_handler_t::replace);
  auto b = JsonResponse(201, large);  // a copy: `large` stays the caller's
  ASSERT_TRUE(b.render);
  EXPECT_EQ(b.status, 201);
  EXPECT_TRUE(b.body.empty());
  auto c = JsonResponse(200, std::move(large));
  ASSERT_TRUE(c.render);
  EXPECT_EQ(b.render(), expected);
  EXPECT_EQ(c.render(), expected);
}

}  // namespace
}  // namespace kraken::api
