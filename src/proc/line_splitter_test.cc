#include "proc/line_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kraken::proc {
namespace {

class LineSplitterTest : public ::testing::Test {
 protected:
  LineSplitter MakeSplitter(size_t max_line_bytes = LineSplitter::kDefaultMaxLineBytes) {
    return LineSplitter([this](std::string_view line) { lines_.emplace_back(line); },
                        max_line_bytes);
  }
  std::vector<std::string> lines_;
};

TEST_F(LineSplitterTest, JoinsLinesSplitAcrossChunks) {
  LineSplitter splitter = MakeSplitter();
  splitter.Feed("one\ntw");
  splitter.Feed("o\n\nthr");
  splitter.Feed("ee\n");
  splitter.Finish();
  EXPECT_EQ(lines_, (std::vector<std::string>{"one\n", "two\n", "\n", "three\n"}));
}

TEST_F(LineSplitterTest, FinishPassesUnterminatedLastLine) {
  LineSplitter splitter = MakeSplitter();
  splitter.Feed("done\nno newline");
  EXPECT_EQ(lines_, (std::vector<std::string>{"done\n"}));
  splitter.Finish();
  splitter.Finish();
  EXPECT_EQ(lines_, (std::vector<std::string>{"done\n", "no newline"}));
}

TEST_F(LineSplitterTest, SplitsOverlongLines) {
  LineSplitter splitter = MakeSplitter(4);
  splitter.Feed("abcdefghij\nxy");
  splitter.Feed("zw\n");
  splitter.Finish();
  EXPECT_EQ(lines_, (std::vector<std::string>{"abcd", "efgh", "ij\n", "xyzw", "\n"}));
}

TEST_F(LineSplitterTest, PassesInvalidUtf8AndNulBytesThrough) {
  LineSplitter splitter = MakeSplitter();
  splitter.Feed(std::string("\xff\xfe\0x\n", 5));
  EXPECT_EQ(lines_, (std::vector<std::string>{std::string("\xff\xfe\0x\n", 5)}));
}

}  // namespace
}  // namespace kraken::proc
