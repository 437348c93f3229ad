// LineSplitter turns a byte stream into lines for OutputMode::kLines.
//
// Each line is passed with its trailing '\n'. The last line of a stream may
// lack it (Finish() passes it on), and a line longer than `max_line_bytes`
// is passed in pieces of that size so a stream without newlines cannot grow
// memory without bound. Bytes are not interpreted: invalid UTF-8 and NULs
// pass through.
//
// Thread-safety: not thread-safe.
#ifndef KRAKEN_PROC_LINE_SPLITTER_H_
#define KRAKEN_PROC_LINE_SPLITTER_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "proc/process.h"

namespace kraken::proc {

class LineSplitter {
 public:
  static constexpr size_t kDefaultMaxLineBytes = 64 * 1024;

  explicit LineSplitter(OutputCallback on_line, size_t max_line_bytes = kDefaultMaxLineBytes);

  void Feed(std::string_view bytes);
  // Passes on the unterminated last line, if any.
  void Finish();

 private:
  OutputCallback on_line_;
  size_t max_line_bytes_;
  std::string partial_;  // Bytes of the current line seen so far.
};

}  // namespace kraken::proc

#endif  // KRAKEN_PROC_LINE_SPLITTER_H_
