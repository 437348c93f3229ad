// Exponential backoff with jitter for one agents group's failing driver calls: after the
// n-th consecutive failure the next call waits base·2^(n−1), capped, jittered to between
// half and all of it, so a provider failing every call sees a bounded number of calls per
// minute (one per `cap` at worst). A success resets it.
//
// Not thread-safe; a plain value owned by the autoscaler's loop.
#pragma once

#include <cstdint>
#include <random>

#include "core/clock.h"

namespace kraken::autoscale {

class Backoff {
 public:
  Backoff(Millis base = 1'000, Millis cap = 60'000, uint64_t seed = std::random_device{}())
      : base_(base), cap_(cap), rng_(seed) {}

  // Records a failure at `now`; returns the delay before the next attempt.
  Millis Failed(Millis now);
  void Succeeded() {
    failures_ = 0;
    next_ = 0;
  }
  // Whether a call may be made at `now`.
  bool Ready(Millis now) const { return now >= next_; }
  int failures() const { return failures_; }
  Millis next_attempt() const { return next_; }

 private:
  Millis base_, cap_;
  int failures_ = 0;
  Millis next_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace kraken::autoscale
