#include "core/json_limits.h"

#include <gtest/gtest.h>

#include <string>

namespace kraken {
namespace {

std::string Nested(size_t depth, const std::string& inner = "") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

TEST(JsonLimits, ADocumentTooDeepToCopyIsRefusedBeforeItIsBuilt) {
  auto deep = ParseJson(R"({"host_info":)" + Nested(100'000) + "}");
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(deep.error().message, "nested deeper than 64 levels, the limit");
  EXPECT_TRUE(ParseJson(Nested(kMaxJsonDepth)));
  EXPECT_FALSE(ParseJson(Nested(kMaxJsonDepth + 1)));
  EXPECT_EQ(*FindTooDeep(R"({"a": [[1]]})", 2), 7u);
}

TEST(JsonLimits, BracketsInStringsDoNotCount) {
  std::string text = R"({"s": "[[[[{{{{ \" [[[[ \\", "t": ["\\\"[[[["]})";
  EXPECT_FALSE(FindTooDeep(text, 2));
  auto parsed = ParseJson(text, 2);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ((*parsed)["t"][0], "\\\"[[[[");
}

TEST(JsonLimits, InvalidJsonSaysWhere) {
  auto bad = ParseJson("{\"a\": }");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind("not valid JSON: parse error at line 1, column 7", 0), 0u)
      << bad.error().message;
}

// nlohmann reports a number too large for a double as out_of_range, not as a parse error.
TEST(JsonLimits, ANumberOutOfRangeIsInvalidJsonNotAnException) {
  auto parsed = ParseJson(R"({"job": {"id": 1e400}})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalid);
  EXPECT_NE(parsed.error().message.find("number overflow"), std::string::npos)
      << parsed.error().message;
}

TEST(JsonLimits, DepthOfAValueBuiltInMemory) {
  EXPECT_EQ(JsonDepth(Json(3)), 0u);
  EXPECT_EQ(JsonDepth(Json::object()), 1u);
  EXPECT_EQ(JsonDepth(Json{{"a", {1, {{"b", Json::array()}}}}}), 4u);
  // Built in place, as a patch or a pointer could: measured without recursion.
  Json deep = Json::array();
  Json* at = &deep;
  for (int i = 0; i < 100'000; ++i) at = &(*at)[0];
  EXPECT_EQ(JsonDepth(deep), 100'000u);
}

}  // namespace
}  // namespace kraken
