#include "proc/line_splitter.h"

#include <utility>

namespace kraken::proc {

LineSplitter::LineSplitter(OutputCallback on_line, size_t max_line_bytes)
    : on_line_(std::move(on_line)), max_line_bytes_(max_line_bytes > 0 ? max_line_bytes : 1) {}

void LineSplitter::Feed(std::string_view bytes) {
  while (!bytes.empty()) {
    size_t newline = bytes.find('\n');
    size_t take = newline == std::string_view::npos ? bytes.size() : newline + 1;
    // Never let the pending line exceed the limit.
    size_t room = max_line_bytes_ - partial_.size();
    bool complete = newline != std::string_view::npos && take <= room;
    if (take > room) take = room;

    if (partial_.empty() && (complete || take == room)) {
      on_line_(bytes.substr(0, take));  // Whole line in place: no copy.
    } else {
      partial_.append(bytes.substr(0, take));
      if (complete || partial_.size() == max_line_bytes_) {
        on_line_(partial_);
        partial_.clear();
      }
    }
    bytes.remove_prefix(take);
  }
}

void LineSplitter::Finish() {
  if (partial_.empty()) return;
  on_line_(partial_);
  partial_.clear();
}

}  // namespace kraken::proc
