#include "core/rate_limiter.h"

#include <algorithm>

namespace kraken {

Millis RateLimiter::Take(const std::string& key) {
  Millis now = clock_.Now();
  if (full_at_.size() >= sweep_at_) ForgetFullKeys(now);
  Millis& full_at = full_at_[key];
  // Each attempt moves the time at which the bucket is full again one interval later; an
  // attempt that would move it beyond `burst` intervals from now has to wait.
  Millis next = std::max(full_at, now) + interval_;
  Millis over = next - now - burst_ * interval_;
  if (over > 0) return over;
  full_at = next;
  return 0;
}

void RateLimiter::Refund(const std::string& key) {
  auto it = full_at_.find(key);
  if (it != full_at_.end()) it->second -= interval_;
}

void RateLimiter::ForgetFullKeys(Millis now) {
  std::erase_if(full_at_, [now](const auto& entry) { return entry.second <= now; });
  sweep_at_ = std::max<size_t>(1024, 2 * full_at_.size());
}

}  // namespace kraken
