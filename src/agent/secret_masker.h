// Masks secret values in a step's output stream as "******" before it is shipped. Output
// arrives in arbitrary chunks, so a secret may be split across them: the masker holds back
// the tail of the stream while it could still be the start of a secret, and releases it
// once it cannot (or at Finish). Multi-line secrets (SSH keys) are masked like any other.
//
// Not thread-safe: one per step, fed by one writer at a time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kraken::agent {

class SecretMasker {
 public:
  explicit SecretMasker(std::vector<std::string> secrets);

  // The part of the stream so far that can be shown, masked.
  std::string Push(std::string_view bytes);
  // Whatever is held back, masked; the stream is over.
  std::string Finish();
  // One whole text, masked (a message, an error).
  std::string Mask(std::string_view text) const;

 private:
  // Masks pending_ up to where a secret could still begin; at_end releases everything.
  std::string Drain(bool at_end);

  std::vector<std::string> secrets_;  // non-empty, longest first
  std::string pending_;
};

}  // namespace kraken::agent
