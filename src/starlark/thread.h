// Thread is the state of one evaluation: its budget (steps, time, memory,
// call depth) and where print() output goes. Every builtin and operator that
// allocates or loops charges it, so limits hold however the work is spelled.
// Not thread-safe; one per evaluation.
#ifndef KRAKEN_STARLARK_THREAD_H_
#define KRAKEN_STARLARK_THREAD_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "starlark/error.h"
#include "starlark/heap.h"
#include "starlark/options.h"

namespace kraken::starlark {

struct FunctionDecl;

class Thread {
 public:
  explicit Thread(const Options& options)
      : options_(options), deadline_(std::chrono::steady_clock::now() + options.time_limit) {
    stack_base_ = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    // The cycles this evaluation leaves are freed when it ends, unless the
    // host opened a Heap of its own around it.
    if (current_heap == nullptr) heap_.emplace();
  }

  const Options& options() const { return options_; }

  // Step counts one unit of work; the clock is read only every few thousand
  // steps because reading it costs more than a step.
  void Step(uint64_t n = 1) {
    steps_ += n;
    if (steps_ >= next_check_) CheckDeadline();
  }
  // Charge accounts for bytes about to be allocated and fails past the limit.
  void Charge(size_t bytes) {
    allocated_ += bytes;
    if (allocated_ > options_.memory_limit) MemoryExceeded();
  }
  // CheckCharge fails if allocating bytes would exceed the limit, before
  // the allocation is attempted.
  void CheckCharge(size_t bytes) const {
    if (bytes > options_.memory_limit || allocated_ + bytes > options_.memory_limit)
      MemoryExceeded();
  }

  // EnterCall fails when calls nest too deeply, by count or by the native
  // stack they use, so that no script can overflow the host's stack.
  void EnterCall() {
    if (depth_ + 1 > options_.max_call_depth) {
      Fail("call depth exceeds the limit of " + std::to_string(options_.max_call_depth));
    }
    auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    if (stack_base_ > here && stack_base_ - here > kMaxStackBytes) Fail("call stack too deep");
    ++depth_;
  }
  void LeaveCall() { --depth_; }

  // The Starlark functions being executed, innermost last; the spec
  // forbids recursion, which is checked against this.
  std::vector<const FunctionDecl*> functions;

  void Print(std::string_view text) const {
    if (options_.print) options_.print(text);
  }

 private:
  void CheckDeadline();
  [[noreturn]] void MemoryExceeded() const;

  static constexpr uintptr_t kMaxStackBytes = 1 << 20;

  std::optional<Heap> heap_;  // first, so that it ends last
  const Options& options_;
  uintptr_t stack_base_;
  std::chrono::steady_clock::time_point deadline_;
  uint64_t steps_ = 0;
  uint64_t next_check_ = 0;
  size_t allocated_ = 0;
  int depth_ = 0;
};

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_THREAD_H_
