// InMemoryHistory: a HistorySource held in memory, filled from the earlier flows' results
// (typically one query per analysed run) and then read by AnalyzeRun.
//
// Each test keeps at most kHistoryWindow results inline, so filling it costs one hash lookup
// per result and one allocation per distinct test name.
//
// Not thread-safe while being filled; concurrent Find calls on a filled history are safe.
#ifndef KRAKEN_RESULTS_HISTORY_H_
#define KRAKEN_RESULTS_HISTORY_H_

#include <array>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "results/analysis.h"

namespace kraken::results {

class InMemoryHistory : public HistorySource {
 public:
  // Records an earlier result of test. Results of one test must be added newest first;
  // those beyond kHistoryWindow are dropped.
  void Add(std::string_view test, PastResult result);

  std::span<const PastResult> Find(std::string_view test) const override;

  // Number of distinct tests.
  size_t size() const { return windows_.size(); }

 private:
  struct Window {
    std::array<PastResult, kHistoryWindow> results;
    int size = 0;
  };
  // Lets find() take a string_view without building a std::string.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
  };

  std::unordered_map<std::string, Window, NameHash, std::equal_to<>> windows_;
};

}  // namespace kraken::results

#endif  // KRAKEN_RESULTS_HISTORY_H_
