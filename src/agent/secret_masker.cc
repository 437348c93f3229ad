#include "agent/secret_masker.h"

#include <algorithm>

namespace kraken::agent {

SecretMasker::SecretMasker(std::vector<std::string> secrets) : secrets_(std::move(secrets)) {
  secrets_.erase(std::remove(secrets_.begin(), secrets_.end(), std::string()), secrets_.end());
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string SecretMasker::Push(std::string_view bytes) {
  if (secrets_.empty()) return std::string(bytes);
  pending_.append(bytes);
  return Drain(false);
}

std::string SecretMasker::Finish() { return Drain(true); }

std::string SecretMasker::Mask(std::string_view text) const {
  SecretMasker copy(*this);
  copy.pending_ = std::string(text);
  return copy.Drain(true);
}

std::string SecretMasker::Drain(bool at_end) {
  std::string out;
  size_t i = 0;
  while (i < pending_.size()) {
    std::string_view rest(pending_.data() + i, pending_.size() - i);
    bool masked = false, maybe = false;
    for (const auto& s : secrets_) {
      if (rest.starts_with(s)) {
        out += "******";
        i += s.size();
        masked = true;
        break;
      }
      // The stream so far ends inside what could be this secret: wait for more.
      if (!at_end && rest.size() < s.size() && std::string_view(s).starts_with(rest)) maybe = true;
    }
    if (masked) continue;
    if (maybe) break;
    out += pending_[i++];
  }
  pending_.erase(0, i);
  return out;
}

}  // namespace kraken::agent
