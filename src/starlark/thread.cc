#include "starlark/thread.h"

namespace kraken::starlark {

namespace {
constexpr uint64_t kStepsBetweenClockChecks = 4096;
}

void Thread::CheckDeadline() {
  next_check_ = steps_ + kStepsBetweenClockChecks;
  if (std::chrono::steady_clock::now() > deadline_) {
    Fail("evaluation exceeded the time limit of " + std::to_string(options_.time_limit.count()) +
         " ms");
  }
}

void Thread::MemoryExceeded() const {
  Fail("evaluation exceeded the memory limit of " + std::to_string(options_.memory_limit) +
       " bytes");
}

}  // namespace kraken::starlark
