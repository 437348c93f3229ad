#include "cloud/docker/log_stream.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace kraken::docker {
namespace {

std::string Frame(char stream, std::string_view payload) {
  std::string frame = {stream, 0, 0, 0};
  uint32_t size = static_cast<uint32_t>(payload.size());
  for (int shift = 24; shift >= 0; shift -= 8) frame += static_cast<char>((size >> shift) & 0xFF);
  return frame + std::string(payload);
}

TEST(DockerLogStreamTest, SplitsInterleavedFramesByStream) {
  std::string stream =
      Frame(1, "hello ") + Frame(2, "oops\n") + Frame(1, "world\n") + Frame(0, "typed\n");
  auto output = DemultiplexStream(stream);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->out, "hello world\ntyped\n");
  EXPECT_EQ(output->err, "oops\n");
}

TEST(DockerLogStreamTest, ReadsSizesAsBigEndianBeyondOneByte) {
  std::string big(70'000, 'x');
  auto output = DemultiplexStream(Frame(1, big) + Frame(2, "e"));
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->out, big);
  EXPECT_EQ(output->err, "e");
}

TEST(DockerLogStreamTest, EmptyStreamAndEmptyFramesGiveNothing) {
  auto empty = DemultiplexStream("");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->out, "");
  auto empty_frame = DemultiplexStream(Frame(1, ""));
  ASSERT_TRUE(empty_frame);
  EXPECT_EQ(empty_frame->out, "");
}

TEST(DockerLogStreamTest, TtyOutputWithoutHeadersIsReturnedWholeAsStdout) {
  auto output = DemultiplexStream("plain terminal output\r\n");
  ASSERT_TRUE(output);
  EXPECT_EQ(output->out, "plain terminal output\r\n");
  EXPECT_EQ(output->err, "");
}

TEST(DockerLogStreamTest, TruncatedFrameIsAnError) {
  std::string stream = Frame(1, "complete") + Frame(2, "cut short").substr(0, 12);
  auto output = DemultiplexStream(stream);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().code, ErrorCode::kInternal);
  EXPECT_NE(output.error().message.find("byte 16"), std::string::npos) << output.error().message;
}

TEST(DockerLogStreamTest, GarbageAfterAFrameIsAnError) {
  auto output = DemultiplexStream(Frame(1, "ok") + "garbage!");
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace kraken::docker
