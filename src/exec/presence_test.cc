// Presence: a poll that ends must not take a newer poll of the same agent out of the
// waiting set, or that poll misses its wake-up and waits out its whole long-poll period.
#include "exec/presence.h"

#include <gtest/gtest.h>

namespace kraken::exec {
namespace {

TEST(PresenceTest, AnEndingPollLeavesTheAgentsNewerPollParked) {
  Presence presence;
  int woken = 0;
  // The agent's first poll parks; its connection drops and the agent polls again.
  uint64_t first = presence.Park({7, {1}, "any", false, false, [&] { woken = 1; }, nullptr});
  uint64_t second = presence.Park({7, {1}, "any", false, false, [&] { woken = 2; }, nullptr});
  // The first poll's timer fires now.
  presence.Unpark(7, first);
  ASSERT_TRUE(presence.IsWaiting(7));
  // A job arrives: the newer poll is answered at once.
  EXPECT_TRUE(presence.Wake(7));
  EXPECT_EQ(woken, 2);
  EXPECT_FALSE(presence.IsWaiting(7));
  presence.Unpark(7, second);  // its own timer, later: nothing left to remove
  EXPECT_TRUE(presence.waiting().empty());
}

}  // namespace
}  // namespace kraken::exec
