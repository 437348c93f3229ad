#include "results/result_record.h"

#include <gtest/gtest.h>

namespace kraken::results {
namespace {

TEST(ResultRecordTest, FromJunitCase) {
  JunitCase junit_case;
  junit_case.name = "pkg.Class::test_x";
  junit_case.status = TestStatus::kFailed;
  junit_case.message = "expected 3";
  junit_case.details = "Traceback ...";
  junit_case.time_seconds = 0.25;
  ResultRecord record = ToResultRecord(junit_case);
  EXPECT_EQ(record.test, "pkg.Class::test_x");
  EXPECT_EQ(record.status, TestStatus::kFailed);
  EXPECT_EQ(record.message, "expected 3");
  EXPECT_DOUBLE_EQ(record.duration_seconds, 0.25);
  EXPECT_FALSE(record.cmd.has_value());
  EXPECT_FALSE(record.values.has_value());

  junit_case.message.clear();
  EXPECT_EQ(ToResultRecord(junit_case).message, "Traceback ...");
}

TEST(ResultRecordTest, JsonLineHasTheDocumentedFields) {
  ResultRecord record{"t", TestStatus::kError, std::nullopt, std::nullopt, "boom", 1.5};
  EXPECT_EQ(ToJsonLine(record),
            "{\"duration\":1.5,\"message\":\"boom\",\"status\":3,\"test\":\"t\"}\n");
  record.cmd = "pytest -k t";
  record.values = nlohmann::json{{"latency", {{"value", 2.5}}}};
  nlohmann::json json = ToJson(record);
  EXPECT_EQ(json["cmd"], "pytest -k t");
  EXPECT_EQ(json["values"]["latency"]["value"], 2.5);
}

TEST(ResultRecordTest, LinesRoundTrip) {
  std::vector<ResultRecord> records = {
      {"a::é 😀", TestStatus::kPassed, std::nullopt, std::nullopt, "", 0},
      {"b", TestStatus::kDisabled, "run b", nlohmann::json{{"m", {{"value", 1}}}}, "skip", 2},
  };
  std::string lines = ToJsonLines(records);
  size_t newline = lines.find('\n');
  ASSERT_NE(newline, std::string::npos);
  auto first = ResultRecordFromJson(nlohmann::json::parse(lines.substr(0, newline)));
  auto second = ResultRecordFromJson(nlohmann::json::parse(lines.substr(newline + 1)));
  ASSERT_TRUE(first.has_value()) << first.error();
  ASSERT_TRUE(second.has_value()) << second.error();
  EXPECT_EQ(first->test, "a::é 😀");
  EXPECT_EQ(second->status, TestStatus::kDisabled);
  EXPECT_EQ(second->cmd, "run b");
  EXPECT_EQ((*second->values)["m"]["value"], 1);
  EXPECT_DOUBLE_EQ(second->duration_seconds, 2);
}

TEST(ResultRecordTest, InvalidUtf8IsReplacedNotFatal) {
  ResultRecord record{"bad\xff name", TestStatus::kPassed, std::nullopt, std::nullopt, "", 0};
  std::string line = ToJsonLine(record);
  EXPECT_NE(line.find("bad\xEF\xBF\xBD name"), std::string::npos);
}

TEST(ResultRecordTest, LongMessagesAreCutAtACharacterBoundary) {
  JunitCase junit_case;
  junit_case.name = "t";
  junit_case.message = std::string(kMaxMessageBytes - 1, 'x') + "é and more";
  std::string message = ToResultRecord(junit_case).message;
  EXPECT_EQ(message, std::string(kMaxMessageBytes - 1, 'x') + "…");
  EXPECT_NO_THROW(ToJson(ToResultRecord(junit_case)).dump());
}

TEST(ResultRecordTest, RejectsBadRecords) {
  using nlohmann::json;
  EXPECT_FALSE(ResultRecordFromJson(json::array()).has_value());
  EXPECT_FALSE(ResultRecordFromJson(json{{"status", 1}}).has_value());
  EXPECT_FALSE(ResultRecordFromJson(json{{"test", "t"}}).has_value());
  EXPECT_FALSE(ResultRecordFromJson(json{{"test", "t"}, {"status", 6}}).has_value());
  EXPECT_FALSE(ResultRecordFromJson(json{{"test", "t"}, {"status", "1"}}).has_value());
  EXPECT_FALSE(ResultRecordFromJson(json{{"test", "t"}, {"status", 1}, {"cmd", 3}}).has_value());
  EXPECT_FALSE(ResultRecordFromJson(json{{"test", "t"}, {"status", 1}, {"values", 3}}).has_value());
  EXPECT_FALSE(
      ResultRecordFromJson(json{{"test", "t"}, {"status", 1}, {"duration", "1s"}}).has_value());
  auto error = ResultRecordFromJson(json{{"test", "t"}, {"status", 9}});
  ASSERT_FALSE(error.has_value());
  EXPECT_NE(error.error().find("\"t\""), std::string::npos);
  EXPECT_TRUE(ResultRecordFromJson(json{{"test", "t"}, {"status", 0}}).has_value());
}

TEST(StatusTest, NamesAndCodes) {
  EXPECT_EQ(StatusName(TestStatus::kNotRun), "not-run");
  EXPECT_EQ(StatusName(TestStatus::kUnsupported), "unsupported");
  EXPECT_EQ(StatusFromCode(4), TestStatus::kDisabled);
  EXPECT_EQ(StatusFromCode(-1), std::nullopt);
  EXPECT_EQ(StatusFromCode(6), std::nullopt);
}

}  // namespace
}  // namespace kraken::results
