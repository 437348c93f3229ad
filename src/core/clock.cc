#include "core/clock.h"

#include <chrono>

namespace kraken {

Millis RealClock::Now() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Millis RealClock::Monotonic() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

RealClock& RealClock::Instance() {
  static RealClock clock;
  return clock;
}

}  // namespace kraken
