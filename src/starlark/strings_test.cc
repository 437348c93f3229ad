// Strings hold bytes, but what leaves the interpreter as JSON or text is valid UTF-8: no
// builtin makes an invalid sequence out of valid input, and the conversion to JSON replaces
// the bytes a script can still take apart (by indexing) with U+FFFD.
#include <gtest/gtest.h>

#include <string>

#include "starlark/starlark.h"

namespace kraken::starlark {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string EvalString(const std::string& expression) {
  auto value = EvalExpression(expression, {});
  if (!value) return "error: " + value.error().message;
  if (!value->is(Type::kString)) return "not a string: " + Repr(*value);
  return value->str();
}

TEST(StringsTest, SurrogatesBecomeTheReplacementCharacter) {
  EXPECT_EQ(EvalString("chr(0xD800)"), kReplacement);
  EXPECT_EQ(EvalString("chr(0xDFFF)"), kReplacement);
  EXPECT_EQ(EvalString("'%c' % 0xD800"), kReplacement);
  EXPECT_EQ(EvalString("chr(0xD7FF) + chr(0xE000)"), "\xED\x9F\xBF\xEE\x80\x80");
}

TEST(StringsTest, StripWithCharactersComparesCodePoints) {
  // é is C3 A9 and è is C3 A8: a byte-wise cutset would remove the shared C3.
  EXPECT_EQ(EvalString("'é'.strip('è')"), "é");
  EXPECT_EQ(EvalString("'é'.lstrip('è')"), "é");
  EXPECT_EQ(EvalString("'é'.rstrip('è')"), "é");
  EXPECT_EQ(EvalString("'èéxè'.strip('è')"), "éx");
  EXPECT_EQ(EvalString("'aé€😀a'.rstrip('a😀')"), "aé€");
  EXPECT_EQ(EvalString("'😀€b'.lstrip('€😀')"), "b");
  EXPECT_EQ(EvalString("'  x  '.strip()"), "x");
}

TEST(StringsTest, ReplacingTheEmptyStringInsertsAroundEachCodePoint) {
  EXPECT_EQ(EvalString("'abc'.replace('', '-')"), "-a-b-c-");
  EXPECT_EQ(EvalString("'é'.replace('', '-')"), "-é-");
  EXPECT_EQ(EvalString("''.replace('', '-')"), "-");
  EXPECT_EQ(EvalString("'abc'.replace('', '-', 2)"), "-a-bc");
}

TEST(StringsTest, JsonConversionReplacesInvalidBytes) {
  auto value = EvalExpression("{'byte': 'é'[0], 'é'[1]: ['ok', 'a' + 'é'[1] + 'b']}", {});
  ASSERT_TRUE(value) << value.error().message;
  auto json = ToJson(*value);
  ASSERT_TRUE(json) << json.error().message;
  EXPECT_EQ((*json)["byte"], kReplacement);
  EXPECT_EQ((*json)[kReplacement][1], "a" + kReplacement + "b");
  EXPECT_NO_THROW(json->dump());
}

}  // namespace
}  // namespace kraken::starlark
