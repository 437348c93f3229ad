// Time source for everything that schedules or stamps: real in production, fake in tests.
// Times are milliseconds since the Unix epoch. RealClock is thread-safe; FakeClock is not.
#pragma once

#include <cstdint>

namespace kraken {

using Millis = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis Now() const = 0;
};

class RealClock : public Clock {
 public:
  Millis Now() const override;
  static RealClock& Instance();
};

class FakeClock : public Clock {
 public:
  explicit FakeClock(Millis now = 1'700'000'000'000) : now_(now) {}
  Millis Now() const override { return now_; }
  void Advance(Millis ms) { now_ += ms; }
  void Set(Millis now) { now_ = now; }

 private:
  Millis now_;
};

}  // namespace kraken
