#include "cloud/aws/uri_encoding.h"

#include <gtest/gtest.h>

namespace kraken::aws {
namespace {

TEST(UriEncodeTest, EscapesAllButUnreserved) {
  EXPECT_EQ(UriEncode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a b+c/d=e&f"), "a%20b%2Bc%2Fd%3De%26f");
  EXPECT_EQ(UriEncode("/a b/", /*keep_slash=*/true), "/a%20b/");
  EXPECT_EQ(UriEncode("\xE1\x88\xB4"), "%E1%88%B4");
}

TEST(UriDecodeTest, UndoesEscapes) {
  EXPECT_EQ(UriDecode("a%20b%2Bc"), "a b+c");
  EXPECT_EQ(UriDecode("a+b"), "a+b");
  EXPECT_EQ(UriDecode("a+b", /*plus_is_space=*/true), "a b");
  EXPECT_EQ(UriDecode("%e1%88%b4"), "\xE1\x88\xB4");
  EXPECT_EQ(UriDecode("100%"), "100%");
  EXPECT_EQ(UriDecode("%zz%4"), "%zz%4");
}

TEST(QueryStringTest, RoundTrips) {
  QueryParams params = {{"Action", "RunInstances"},
                        {"TagSpecification.1.Tag.1.Value", "it's a \"test\" & more"},
                        {"Empty", ""}};
  std::string query = BuildQueryString(params);
  EXPECT_EQ(query,
            "Action=RunInstances&TagSpecification.1.Tag.1.Value="
            "it%27s%20a%20%22test%22%20%26%20more&Empty=");
  EXPECT_EQ(ParseQueryString(query), params);
}

TEST(QueryStringTest, ParsesLooseForms) {
  EXPECT_EQ(ParseQueryString("a&&b=1&c=x=y"), (QueryParams{{"a", ""}, {"b", "1"}, {"c", "x=y"}}));
  EXPECT_EQ(ParseQueryString(""), QueryParams{});
  EXPECT_EQ(ParseQueryString("k=a+b", /*plus_is_space=*/true), (QueryParams{{"k", "a b"}}));
}

}  // namespace
}  // namespace kraken::aws
