#include "results/history.h"

namespace kraken::results {

void InMemoryHistory::Add(std::string_view test, PastResult result) {
  auto it = windows_.find(test);
  if (it == windows_.end()) it = windows_.emplace(std::string(test), Window{}).first;
  Window& window = it->second;
  if (window.size < kHistoryWindow) window.results[window.size++] = result;
}

std::span<const PastResult> InMemoryHistory::Find(std::string_view test) const {
  auto it = windows_.find(test);
  if (it == windows_.end()) return {};
  return std::span<const PastResult>(it->second.results.data(), it->second.size);
}

}  // namespace kraken::results
