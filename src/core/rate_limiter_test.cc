#include "core/rate_limiter.h"

#include <gtest/gtest.h>

namespace kraken {
namespace {

TEST(RateLimiterTest, AllowsABurstThenOneAttemptPerInterval) {
  FakeClock clock;
  RateLimiter limiter(clock, 3, 1000);
  EXPECT_EQ(limiter.Take("a"), 0);
  EXPECT_EQ(limiter.Take("a"), 0);
  EXPECT_EQ(limiter.Take("a"), 0);
  EXPECT_EQ(limiter.Take("a"), 1000);
  EXPECT_EQ(limiter.Take("b"), 0);  // keys are apart
  clock.Advance(400);
  EXPECT_EQ(limiter.Take("a"), 600);
  clock.Advance(600);
  EXPECT_EQ(limiter.Take("a"), 0);
  EXPECT_EQ(limiter.Take("a"), 1000);
}

TEST(RateLimiterTest, ARefundGivesTheAttemptBack) {
  FakeClock clock;
  RateLimiter limiter(clock, 1, 60'000);
  EXPECT_EQ(limiter.Take("a"), 0);
  limiter.Refund("a");
  EXPECT_EQ(limiter.Take("a"), 0);
  EXPECT_GT(limiter.Take("a"), 0);
}

TEST(RateLimiterTest, KeysWithAFullBucketAreForgotten) {
  FakeClock clock;
  RateLimiter limiter(clock, 2, 10);
  for (int i = 0; i < 5000; ++i) {
    EXPECT_EQ(limiter.Take("client-" + std::to_string(i)), 0);
    clock.Advance(1);
  }
  EXPECT_LT(limiter.keys(), 1100u);
}

}  // namespace
}  // namespace kraken
