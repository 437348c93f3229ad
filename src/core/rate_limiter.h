// Rate limits per key (a client address, a user name): each key may make `burst` attempts
// at once and regains one every `interval` (a token bucket, kept as the time at which the
// key's bucket is full again). Keys whose bucket is full are forgotten now and then, so
// memory stays bounded by the keys active within the last burst × interval.
//
// Not thread-safe: used on the event loop.
#pragma once

#include <string>
#include <unordered_map>

#include "core/clock.h"

namespace kraken {

class RateLimiter {
 public:
  RateLimiter(const Clock& clock, int burst, Millis interval)
      : clock_(clock), burst_(burst), interval_(interval) {}

  // Spends one attempt of `key`. Returns 0 when it may go ahead, else how many
  // milliseconds until it may (nothing is spent then).
  Millis Take(const std::string& key);
  // Gives back an attempt, e.g. after a sign-in that succeeded.
  void Refund(const std::string& key);

  size_t keys() const { return full_at_.size(); }

 private:
  void ForgetFullKeys(Millis now);

  const Clock& clock_;
  const int burst_;
  const Millis interval_;
  std::unordered_map<std::string, Millis> full_at_;
  size_t sweep_at_ = 1024;  // the size at which full buckets are next forgotten
};

}  // namespace kraken
