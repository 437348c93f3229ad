// How results and issues are cut into batches the server accepts.
#include "agent/result_shipper.h"

#include <gtest/gtest.h>

namespace kraken::agent {
namespace {

TEST(ResultShipperTest, ABatchStopsAtTheItemLimit) {
  std::vector<size_t> sizes(5000, 100);
  EXPECT_EQ(ResultShipper::BatchSize(sizes, 2000, 1 << 20), 2000u);
}

TEST(ResultShipperTest, ABatchStopsBeforeTheByteLimit) {
  std::vector<size_t> sizes(100, 5000);  // 5 KB results: 20 of them fit in 100 KB with commas
  EXPECT_EQ(ResultShipper::BatchSize(sizes, 2000, 100'000), 19u);
  EXPECT_EQ(ResultShipper::BatchSize({}, 2000, 100'000), 0u);
  // One item bigger than the budget still goes, alone: nothing else could ever send it.
  EXPECT_EQ(ResultShipper::BatchSize({200'000, 10}, 2000, 100'000), 1u);
}

TEST(ResultShipperTest, AHugeMessageIsCutToFitAnItem) {
  Json result{{"test", "suite::big"}, {"status", 2}, {"message", std::string(3 << 20, 'x')}};
  size_t bytes = ResultShipper::FitItem(result);
  EXPECT_LE(bytes, kMaxResultItemBytes);
  EXPECT_EQ(bytes, result.dump().size());
  EXPECT_EQ(result["test"], "suite::big");
  EXPECT_GT(result["message"].get<std::string>().size(), 100'000u);  // most of it is kept
  EXPECT_TRUE(result["message"].get<std::string>().ends_with("[cut: too long to send]"));

  // Characters JSON escapes six times over, and multi-byte UTF-8 cut at a boundary.
  Json issue{{"path", "a.py"}, {"line", 1}, {"message", std::string(1 << 20, '\x01') + "é"}};
  EXPECT_LE(ResultShipper::FitItem(issue), kMaxResultItemBytes);
  EXPECT_NO_THROW(issue.dump());

  Json small{{"test", "t"}, {"message", "short"}};
  EXPECT_EQ(ResultShipper::FitItem(small), small.dump().size());
  EXPECT_EQ(small["message"], "short");
}

TEST(ResultShipperTest, AnItemHugeElsewhereKeepsOnlyWhatNamesIt) {
  Json values = Json::object();
  for (int i = 0; i < 60000; ++i) values["metric_" + std::to_string(i)] = {{"value", i}};
  Json result{{"test", "suite::values"}, {"status", 1}, {"values", values}};
  EXPECT_LE(ResultShipper::FitItem(result), kMaxResultItemBytes);
  EXPECT_EQ(result["test"], "suite::values");
  EXPECT_FALSE(result.contains("values"));
}

}  // namespace
}  // namespace kraken::agent
