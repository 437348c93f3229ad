// Time source for everything that schedules or stamps: real in production, fake in tests.
// Now() is wall-clock time, milliseconds since the Unix epoch, for stamps people read;
// Monotonic() never jumps (an arbitrary origin) and measures intervals: liveness and
// deadlines use it, so setting the system clock neither loses agents nor ends jobs.
// RealClock is thread-safe; FakeClock is not.
#pragma once

#include <cstdint>

namespace kraken {

using Millis = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis Now() const = 0;
  virtual Millis Monotonic() const = 0;
};

class RealClock : public Clock {
 public:
  Millis Now() const override;
  Millis Monotonic() const override;
  static RealClock& Instance();
};

class FakeClock : public Clock {
 public:
  explicit FakeClock(Millis now = 1'700'000'000'000) : now_(now) {}
  Millis Now() const override { return now_; }
  Millis Monotonic() const override { return monotonic_; }
  // Time passes: both clocks move.
  void Advance(Millis ms) {
    now_ += ms;
    monotonic_ += ms;
  }
  // The wall clock is set (a jump, either way); monotonic time does not move.
  void Set(Millis now) { now_ = now; }

 private:
  Millis now_;
  Millis monotonic_ = 1'000'000;
};

}  // namespace kraken
