// Guards for crashes that are known and whose fix has not landed yet (their inputs are in
// fuzz/pending/<target>/): the timed fuzzing skips those inputs so that it looks for new
// crashes instead of finding the known one again. Each guard names its pending input; remove
// it when that input moves to fuzz/regressions/. KRAKEN_FUZZ_NO_GUARDS=1 turns every guard
// off, to reproduce the pending crashes.
#pragma once

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

namespace kraken::fuzz {

inline bool SkipPending() {
  static const bool skip = std::getenv("KRAKEN_FUZZ_NO_GUARDS") == nullptr;
  return skip;
}

// Whether nlohmann::json's strict dump() throws on the text (it is not valid UTF-8).
inline bool DumpThrows(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return false;
  } catch (const nlohmann::json::type_error&) {
    return true;
  }
}

}  // namespace kraken::fuzz
