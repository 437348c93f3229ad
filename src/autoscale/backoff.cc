#include "autoscale/backoff.h"

#include <algorithm>

namespace kraken::autoscale {

Millis Backoff::Failed(Millis now) {
  ++failures_;
  Millis delay = base_;
  for (int i = 1; i < failures_ && delay < cap_; ++i) delay *= 2;
  delay = std::min(delay, cap_);
  // Jitter: groups failing together do not retry in step.
  std::uniform_int_distribution<Millis> jitter(delay / 2, delay);
  delay = jitter(rng_);
  next_ = now + delay;
  return delay;
}

}  // namespace kraken::autoscale
