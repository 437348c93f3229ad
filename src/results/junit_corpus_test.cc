// Runs the JUnit reader over every report in the shared corpus of real files
// (the external corpus's junit/ folder: EnricoMi/publish-unit-test-result-action and
// dorny/test-reporter fixtures) and compares the counts with the ones those projects publish.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/external_testdata.h"
#include "results/junit.h"

namespace kraken::results {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

fs::path CorpusDir() { return testing_support::ExternalTestdata("junit"); }

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Paths relative to the corpus, sorted, of every file ending in `suffix`.
std::vector<std::string> CorpusFiles(const std::string& suffix) {
  std::vector<std::string> files;
  if (!fs::is_directory(CorpusDir())) return files;
  for (const auto& entry : fs::recursive_directory_iterator(CorpusDir())) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      files.push_back(fs::relative(entry.path(), CorpusDir()).generic_string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string TestNameFor(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// Files the reader must reject, and a word the reason must contain.
const std::map<std::string, std::string>& Rejected() {
  static const auto* rejected = new std::map<std::string, std::string>{
      // Cut off in the middle of a <skipped> element, on purpose.
      {"enricomi/pytest/corrupt-xml.xml", "malformed XML"},
      // Well-formed, but <suites>/<suite>/<case> is not JUnit; EnricoMi rejects it too.
      {"enricomi/non-junit.xml", "not a JUnit report"},
      // NUnit 3 <test-run> documents, a different format.
      {"dorny/dotnet-nunit.xml", "not a JUnit report"},
      {"dorny/external/nunit-sample.xml", "not a JUnit report"},
  };
  return *rejected;
}

// Independent count of <testcase> start tags in the raw text, outside comments (some
// fixtures comment out whole suites).
int CountTestcaseTags(std::string xml) {
  for (size_t start = xml.find("<!--"); start != std::string::npos;
       start = xml.find("<!--", start)) {
    size_t end = xml.find("-->", start);
    xml.erase(start, end == std::string::npos ? std::string::npos : end + 3 - start);
  }
  int count = 0;
  for (size_t at = xml.find("<testcase"); at != std::string::npos;
       at = xml.find("<testcase", at + 1)) {
    char next = at + 9 < xml.size() ? xml[at + 9] : '\0';
    if (next == ' ' || next == '>' || next == '/' || next == '\n' || next == '\t' || next == '\r') {
      ++count;
    }
  }
  return count;
}

struct Counts {
  int total = 0;
  int passed = 0;
  int failed = 0;
  int error = 0;
  int disabled = 0;
};

Counts Count(const std::vector<JunitCase>& cases) {
  Counts counts;
  for (const JunitCase& c : cases) {
    ++counts.total;
    if (c.status == TestStatus::kPassed) ++counts.passed;
    if (c.status == TestStatus::kFailed) ++counts.failed;
    if (c.status == TestStatus::kError) ++counts.error;
    if (c.status == TestStatus::kDisabled) ++counts.disabled;
  }
  return counts;
}

tl::expected<std::vector<JunitCase>, JunitError> ParseCorpusFile(const std::string& file) {
  return ParseJunit(ReadFile(CorpusDir() / file), file);
}

// The tests over named corpus files; skipped, saying where they looked, without the corpus.
class JunitCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(CorpusDir())) GTEST_SKIP() << testing_support::AbsentReason(CorpusDir());
  }
};

TEST_F(JunitCorpusTest, CorpusIsPresent) {
  EXPECT_GE(CorpusFiles(".xml").size(), 50u) << "no corpus at " << CorpusDir();
}

class EveryCorpusFile : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryCorpusFile, IsParsedOrRejectedWithFileAndLine) {
  const std::string& file = GetParam();
  std::string xml = ReadFile(CorpusDir() / file);
  auto cases = ParseJunit(xml, file);
  auto rejected = Rejected().find(file);
  if (rejected != Rejected().end()) {
    ASSERT_FALSE(cases.has_value()) << file << " parsed into " << cases->size() << " cases";
    EXPECT_EQ(cases.error().file, file);
    EXPECT_GE(cases.error().line, 1);
    EXPECT_GE(cases.error().column, 1);
    EXPECT_THAT(cases.error().Message(), MatchesRegex(".*" + file + ":[0-9]+:[0-9]+: .*"));
    EXPECT_THAT(cases.error().reason, HasSubstr(rejected->second));
    return;
  }
  ASSERT_TRUE(cases.has_value()) << cases.error().Message();
  EXPECT_EQ(static_cast<int>(cases->size()), CountTestcaseTags(xml));
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EveryCorpusFile);
INSTANTIATE_TEST_SUITE_P(Corpus, EveryCorpusFile, ::testing::ValuesIn(CorpusFiles(".xml")),
                         TestNameFor);

// EnricoMi's *.results.json hold `tests_*` (results merged per test name) and `runs_*` (per
// <testcase>, one per result element). Kraken counts each <testcase> once with one status, so
// `tests_*` agree wherever no name repeats. Files where the two projects legitimately differ:
struct Difference {
  const char* reason;
  Counts ours;
};
const std::map<std::string, Difference>& EnricomiDifferences() {
  static const auto* differences = new std::map<std::string, Difference>{
      {"enricomi/no-cases-but-tests.results.json",
       {"EnricoMi trusts the suite's tests=6 failures=1 skipped=2 when there is no <testcase>; "
        "Kraken does not trust suite counts",
        {0, 0, 0, 0, 0}}},
      {"enricomi/mocha/latex-utensils.results.json",
       {"EnricoMi merges the 8 repeated test names into one test each (101 tests, 109 runs); "
        "Kraken keeps each <testcase>, which matches runs_*",
        {109, 109, 0, 0, 0}}},
  };
  return *differences;
}

class EnricomiExpectedCounts : public ::testing::TestWithParam<std::string> {};

TEST_P(EnricomiExpectedCounts, AgreeWithOurs) {
  const std::string& expected_file = GetParam();
  nlohmann::json stats = nlohmann::json::parse(ReadFile(CorpusDir() / expected_file))["stats"];
  std::string xml_file =
      expected_file.substr(0, expected_file.size() - std::string(".results.json").size()) + ".xml";
  auto cases = ParseCorpusFile(xml_file);

  if (!stats["errors"].empty()) {
    EXPECT_FALSE(cases.has_value()) << "EnricoMi rejects " << xml_file << ", Kraken parsed it";
    return;
  }
  ASSERT_TRUE(cases.has_value()) << cases.error().Message();
  Counts ours = Count(*cases);
  auto difference = EnricomiDifferences().find(expected_file);
  if (difference != EnricomiDifferences().end()) {
    SCOPED_TRACE(difference->second.reason);
    const Counts& expected = difference->second.ours;
    EXPECT_EQ(ours.total, expected.total);
    EXPECT_EQ(ours.passed, expected.passed);
    EXPECT_EQ(ours.failed, expected.failed);
    EXPECT_EQ(ours.error, expected.error);
    EXPECT_EQ(ours.disabled, expected.disabled);
    // Keep the note honest: EnricoMi must really disagree with us somewhere.
    EXPECT_TRUE(ours.total != stats["tests"] || ours.passed != stats["tests_succ"]);
    return;
  }
  EXPECT_EQ(ours.total, stats["tests"].get<int>());
  EXPECT_EQ(ours.passed, stats["tests_succ"].get<int>());
  EXPECT_EQ(ours.failed, stats["tests_fail"].get<int>());
  EXPECT_EQ(ours.error, stats["tests_error"].get<int>());
  EXPECT_EQ(ours.disabled, stats["tests_skip"].get<int>());
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EnricomiExpectedCounts);
INSTANTIATE_TEST_SUITE_P(Corpus, EnricomiExpectedCounts,
                         ::testing::ValuesIn(CorpusFiles(".results.json")), TestNameFor);

// dorny/test-reporter publishes its expected reports in __tests__/__outputs__/*.md, which the
// corpus does not copy; these are the totals from those files (commit 041609a). dorny reports
// errors as failures and skipped as skipped.
struct DornyCounts {
  const char* file;
  int total, passed, failed_or_error, skipped;
};
constexpr DornyCounts kDorny[] = {
    {"dorny/external/java/pulsar-test-report.xml", 808, 793, 1, 14},
    {"dorny/external/jest/jest-test-results.xml", 4239, 4207, 2, 30},
    {"dorny/external/java/junit4-basic.xml", 6, 5, 1, 0},
    {"dorny/external/java/junit4-complete.xml", 8, 5, 2, 1},
    {"dorny/external/jest/jest-react-component-test-results.xml", 1, 1, 0, 0},
    {"dorny/external/phpunit/junit-basic.xml", 9, 8, 1, 0},
    {"dorny/external/phpunit/phpcheckstyle-phpunit.xml", 30, 28, 2, 0},
    {"dorny/jest-junit.xml", 6, 1, 4, 1},
    {"dorny/jest-junit-eslint.xml", 1, 1, 0, 0},
    {"dorny/junit-with-message.xml", 1, 0, 1, 0},
    {"dorny/nette-tester/BootstrapFormRenderer-report.xml", 4, 4, 0, 0},
    {"dorny/nette-tester/tester-v1.7-report.xml", 65, 61, 1, 3},
    {"dorny/phpunit/phpunit.xml", 12, 10, 2, 0},
    {"dorny/python-xunit-pytest.xml", 10, 6, 2, 2},
    {"dorny/python-xunit-unittest.xml", 8, 4, 2, 2},
    {"dorny/swift-xunit.xml", 3, 2, 1, 0},
    {"dorny/test-errors/jest/jest-test-results.xml", 2, 0, 2, 0},
    {"dorny/empty/java-junit.xml", 0, 0, 0, 0},
    {"dorny/empty/jest-junit-empty-testsuite.xml", 0, 0, 0, 0},
    {"dorny/empty/jest-junit.xml", 0, 0, 0, 0},
    {"dorny/empty/phpunit-empty.xml", 0, 0, 0, 0},
};

TEST_F(JunitCorpusTest, DornyCountsAgreeWithTheirPublishedReports) {
  for (const DornyCounts& expected : kDorny) {
    SCOPED_TRACE(expected.file);
    auto cases = ParseCorpusFile(expected.file);
    ASSERT_TRUE(cases.has_value()) << cases.error().Message();
    Counts ours = Count(*cases);
    EXPECT_EQ(ours.total, expected.total);
    EXPECT_EQ(ours.passed, expected.passed);
    EXPECT_EQ(ours.failed + ours.error, expected.failed_or_error);
    EXPECT_EQ(ours.disabled, expected.skipped);
  }
}

TEST_F(JunitCorpusTest, CorruptFilePointsAtTheCut) {
  auto cases = ParseCorpusFile("enricomi/pytest/corrupt-xml.xml");
  ASSERT_FALSE(cases.has_value());
  // The file stops inside a <skipped> element, on its last line.
  EXPECT_EQ(cases.error().line, 11);
  EXPECT_THAT(cases.error().Message(), HasSubstr("corrupt-xml.xml:11:"));
  EXPECT_THAT(cases.error().reason, HasSubstr("truncated"));
}

TEST_F(JunitCorpusTest, KeepsEntitiesFromTheEntitiesFile) {
  auto cases = ParseCorpusFile("enricomi/with-xml-entities.xml");
  ASSERT_TRUE(cases.has_value());
  ASSERT_EQ(cases->size(), 4u);
  EXPECT_EQ((*cases)[0].name, "Test with \"quotes\" in the test name");
  EXPECT_EQ((*cases)[0].message, "A message with \"quotes\"");
  EXPECT_EQ((*cases)[1].details, "Content with 'apostrophes'");
  EXPECT_EQ((*cases)[2].name, "Test with & in the test name");
  EXPECT_EQ((*cases)[2].status, TestStatus::kError);
  EXPECT_EQ((*cases)[3].message, "A message with < and >");
}

TEST_F(JunitCorpusTest, KeepsUnicodeFromTheUnicodeFile) {
  auto cases = ParseCorpusFile("enricomi/unsupported-unicode.xml");
  ASSERT_TRUE(cases.has_value());
  ASSERT_EQ(cases->size(), 7u);
  EXPECT_EQ((*cases)[0].name, "test 1 헴䜝헱홐㣇㿷䔭𒍺𡓿𠄉㦓");
  EXPECT_EQ((*cases)[1].message,
            "Some unsupported unicode characters: 헴䜝헱홐㣇㿷䔭𒍺𡓿𠄉㦓");
}

TEST_F(JunitCorpusTest, ReadsNamesAndTimesFromNestedSuites) {
  auto cases = ParseCorpusFile("enricomi/testsuite-in-testsuite.xml");
  ASSERT_TRUE(cases.has_value());
  ASSERT_EQ(cases->size(), 5u);
  EXPECT_EQ((*cases)[0].name, "someName::TestCase1");
  EXPECT_DOUBLE_EQ((*cases)[0].time_seconds, 1.321590);
  EXPECT_EQ((*cases)[4].name, "someName::TestCase5");
}

TEST_F(JunitCorpusTest, BazelErrorKeepsItsMessage) {
  auto cases = ParseCorpusFile("enricomi/bazel/suite-logs.xml");
  ASSERT_TRUE(cases.has_value());
  ASSERT_EQ(cases->size(), 1u);
  EXPECT_EQ((*cases)[0].status, TestStatus::kError);
  EXPECT_EQ((*cases)[0].message, "exited with error code 1");
}

}  // namespace
}  // namespace kraken::results
