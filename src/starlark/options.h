// Options bounds one Starlark evaluation so that a hostile or buggy script
// ends with a clear error instead of hanging or exhausting the host.
#ifndef KRAKEN_STARLARK_OPTIONS_H_
#define KRAKEN_STARLARK_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>

namespace kraken::starlark {

struct Options {
  // Wall-clock budget of one evaluation (a module load, a call, an expression).
  std::chrono::milliseconds time_limit{1000};
  // Bytes of strings, lists, dicts and other values an evaluation may allocate
  // in total, garbage included: it bounds the work a script can do.
  size_t memory_limit = 64 << 20;
  // Maximum depth of nested Starlark function calls.
  int max_call_depth = 200;
  // Receives the text of each print() call; by default output is dropped.
  std::function<void(std::string_view)> print;
};

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_OPTIONS_H_
