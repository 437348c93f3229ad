#include "results/junit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace kraken::results {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<JunitCase> Parse(const std::string& xml) {
  auto cases = ParseJunit(xml, "report.xml");
  EXPECT_TRUE(cases.has_value()) << cases.error().Message();
  return cases ? *cases : std::vector<JunitCase>{};
}

std::vector<std::string> Names(const std::vector<JunitCase>& cases) {
  std::vector<std::string> names;
  for (const JunitCase& c : cases) names.push_back(c.name);
  return names;
}

TEST(JunitTest, CountsTestcasesInNestedSuitesOnce) {
  auto cases = Parse(R"(<testsuites>
      <testsuite name="outer">
        <testsuite name="inner"><testcase classname="A" name="one"/></testsuite>
        <testcase classname="A" name="two"/>
        <testsuite name="deeper"><testsuite><testsuite>
          <testcase classname="A" name="three"/>
        </testsuite></testsuite></testsuite>
      </testsuite>
      <testcase classname="A" name="four"/>
    </testsuites>)");
  EXPECT_THAT(Names(cases), ElementsAre("A::one", "A::two", "A::three", "A::four"));
}

TEST(JunitTest, AcceptsTestsuiteRootAndUnknownRoot) {
  EXPECT_EQ(Parse(R"(<testsuite><testcase name="a"/></testsuite>)").size(), 1u);
  EXPECT_EQ(Parse(R"(<report><run><testcase name="a"/><testcase name="b"/></run></report>)").size(),
            2u);
  EXPECT_EQ(Parse(R"(<testcase name="alone"/>)").size(), 1u);
}

TEST(JunitTest, IgnoresSuiteCounts) {
  auto cases = Parse(R"(<testsuite tests="6" failures="1" skipped="2"></testsuite>)");
  EXPECT_TRUE(cases.empty());
}

TEST(JunitTest, ErrorBeatsFailureBeatsSkipped) {
  auto cases = Parse(R"(<testsuite>
      <testcase name="all"><skipped/><failure message="f"/><error message="e" type="IOError"/></testcase>
      <testcase name="failure_and_skipped"><skipped/><failure message="f" type="Assert"/></testcase>
      <testcase name="skipped"><skipped message="why"/></testcase>
      <testcase name="passed"><system-out>noise</system-out></testcase>
    </testsuite>)");
  ASSERT_EQ(cases.size(), 4u);
  EXPECT_EQ(cases[0].status, TestStatus::kError);
  EXPECT_EQ(cases[0].message, "e");
  EXPECT_EQ(cases[0].type, "IOError");
  EXPECT_EQ(cases[1].status, TestStatus::kFailed);
  EXPECT_EQ(cases[1].type, "Assert");
  EXPECT_EQ(cases[2].status, TestStatus::kDisabled);
  EXPECT_EQ(cases[2].message, "why");
  EXPECT_EQ(cases[3].status, TestStatus::kPassed);
  EXPECT_EQ(cases[3].message, "");
}

TEST(JunitTest, StatusAttributeWithoutChildMeansDisabledOnlyForDisabledAndNotrun) {
  auto cases = Parse(R"(<testsuite>
      <testcase name="a" status="disabled"/>
      <testcase name="b" status="notrun"/>
      <testcase name="c" status="run"/>
      <testcase name="d" status="disabled"><failure/></testcase>
    </testsuite>)");
  ASSERT_EQ(cases.size(), 4u);
  EXPECT_EQ(cases[0].status, TestStatus::kDisabled);
  EXPECT_EQ(cases[1].status, TestStatus::kDisabled);
  EXPECT_EQ(cases[2].status, TestStatus::kPassed);
  EXPECT_EQ(cases[3].status, TestStatus::kFailed);  // a child outranks the attribute
}

TEST(JunitTest, SurefireRerunChildrenDoNotDecideTheStatus) {
  auto cases = Parse(R"(<testsuite><testcase classname="C" name="t">
      <flakyFailure message="first try"/></testcase></testsuite>)");
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].status, TestStatus::kPassed);
}

TEST(JunitTest, NameWithoutClassname) {
  auto cases = Parse(R"(<testsuite>
      <testcase name="no_class"/>
      <testcase classname="" name="empty_class"/>
      <testcase classname="pkg.Class" name="with_class"/>
      <testcase/>
    </testsuite>)");
  EXPECT_THAT(Names(cases), ElementsAre("no_class", "empty_class", "pkg.Class::with_class", ""));
  EXPECT_EQ(cases[2].classname, "pkg.Class");
}

TEST(JunitTest, DecodesEntitiesAndKeepsUnicode) {
  auto cases = Parse(R"(<?xml version="1.0" encoding="utf-8"?><testsuite>
      <testcase classname="a&amp;b" name="&quot;q&quot; &lt;&gt; &apos;x&apos; &#233;&#x1F600;">
        <failure message="héllo 𒍺 &amp; more">line1&#10;line2</failure>
      </testcase>
    </testsuite>)");
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].name, "a&b::\"q\" <> 'x' é😀");
  EXPECT_EQ(cases[0].message, "héllo 𒍺 & more");
  EXPECT_EQ(cases[0].details, "line1\nline2");
}

TEST(JunitTest, ConvertsLatin1ToUtf8) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><testsuite>"
      "<testcase name=\"caf\xE9\"/></testsuite>";
  auto cases = Parse(xml);
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].name, "café");
}

TEST(JunitTest, JoinsTextAndCdataOfTheDecidingChild) {
  auto cases = Parse(R"(<testsuite><testcase name="t"><failure>
      before <![CDATA[<raw> & unescaped]]> after
    </failure></testcase></testsuite>)");
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].details, "before <raw> & unescaped after");
}

TEST(JunitTest, ReadsTime) {
  auto cases = Parse(R"(<testsuite>
      <testcase name="a" time="1.25"/>
      <testcase name="b"/>
      <testcase name="c" time="1,234.5"/>
      <testcase name="d" time="soon"/>
      <testcase name="e" time="-3"/>
    </testsuite>)");
  ASSERT_EQ(cases.size(), 5u);
  EXPECT_DOUBLE_EQ(cases[0].time_seconds, 1.25);
  EXPECT_DOUBLE_EQ(cases[1].time_seconds, 0);
  EXPECT_DOUBLE_EQ(cases[2].time_seconds, 1234.5);
  EXPECT_DOUBLE_EQ(cases[3].time_seconds, 0);
  EXPECT_DOUBLE_EQ(cases[4].time_seconds, 0);
}

TEST(JunitTest, RejectsMalformedXmlWithFileLineAndColumn) {
  auto cases = ParseJunit("<testsuite>\n  <testcase name=\"a\">\n</testsuite>\n", "out/report.xml");
  ASSERT_FALSE(cases.has_value());
  EXPECT_EQ(cases.error().file, "out/report.xml");
  EXPECT_EQ(cases.error().line, 3);
  EXPECT_THAT(cases.error().Message(), HasSubstr("out/report.xml:3:"));
  EXPECT_THAT(cases.error().Message(), HasSubstr("malformed XML"));
}

TEST(JunitTest, ColumnCountsCharactersNotBytes) {
  auto ascii = ParseJunit("<testsuite name=\"e\"><</testsuite>", "r.xml");
  auto accented = ParseJunit("<testsuite name=\"é\"><</testsuite>", "r.xml");
  ASSERT_FALSE(ascii.has_value());
  ASSERT_FALSE(accented.has_value());
  EXPECT_EQ(accented.error().line, 1);
  EXPECT_EQ(accented.error().column, ascii.error().column);
}

TEST(JunitTest, RejectsTruncatedFile) {
  for (std::string xml : {"<testsuites>\n<testsuite>\n<testcase name=\"a\"",
                          "<testsuites>\n<testsuite>\n<testcase name=\"a\">\n  Traceback"}) {
    auto cases = ParseJunit(xml, "cut.xml");
    ASSERT_FALSE(cases.has_value());
    EXPECT_EQ(cases.error().line, 3 + (xml.back() == 'k'));
    EXPECT_THAT(cases.error().reason, HasSubstr("truncated"));
  }
}

TEST(JunitTest, RejectsEmptyAndBlankFiles) {
  for (std::string xml : {"", "  \n\t\n"}) {
    auto cases = ParseJunit(xml, "empty.xml");
    ASSERT_FALSE(cases.has_value());
    EXPECT_THAT(cases.error().Message(), HasSubstr("empty.xml:"));
    EXPECT_THAT(cases.error().reason, HasSubstr("empty file"));
  }
}

TEST(JunitTest, RejectsNonXml) {
  for (std::string text : {"hello world\n", "{\"tests\": []}", "\x89PNG\r\n\x1a\n\0\0"}) {
    auto cases = ParseJunit(text, "not-xml.txt");
    ASSERT_FALSE(cases.has_value()) << text;
    EXPECT_THAT(cases.error().Message(), HasSubstr("not-xml.txt:1:"));
  }
}

TEST(JunitTest, RejectsXmlThatIsNotJunit) {
  auto cases = ParseJunit("<?xml version=\"1.0\"?>\n\n<project><module/></project>", "pom.xml");
  ASSERT_FALSE(cases.has_value());
  EXPECT_EQ(cases.error().line, 3);
  EXPECT_EQ(cases.error().column, 1);
  EXPECT_THAT(cases.error().reason, HasSubstr("<project>"));
}

TEST(JunitTest, DoesNotExpandEntitiesFromTheDoctype) {
  // A "billion laughs" document: must neither hang nor blow up.
  std::string xml = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<testsuite><testcase name="&lol3;"/></testsuite>)";
  auto cases = Parse(xml);
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases.front().name, "&lol3;");  // left as written
}

TEST(JunitTest, SurvivesVeryDeepNesting) {
  std::string xml;
  for (int i = 0; i < 200'000; ++i) xml += "<testsuite>";
  xml += "<testcase name=\"deep\"/>";
  for (int i = 0; i < 200'000; ++i) xml += "</testsuite>";
  auto cases = Parse(xml);
  EXPECT_THAT(Names(cases), ElementsAre("deep"));
}

TEST(JunitTest, ParsesManyCasesQuickly) {
  std::string xml = "<testsuites><testsuite>";
  for (int i = 0; i < 20'000; ++i) {
    xml += "<testcase classname=\"C\" name=\"t" + std::to_string(i) + "\" time=\"0.5\">" +
           (i % 3 == 0 ? "<failure message=\"m\">trace</failure>" : "") + "</testcase>";
  }
  xml += "</testsuite></testsuites>";
  auto cases = Parse(xml);
  ASSERT_EQ(cases.size(), 20'000u);
  EXPECT_EQ(cases[3].status, TestStatus::kFailed);
  EXPECT_EQ(cases[4].status, TestStatus::kPassed);
  EXPECT_EQ(cases[19'999].name, "C::t19999");
}

}  // namespace
}  // namespace kraken::results
