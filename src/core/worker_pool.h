// A small fixed pool of threads for blocking work (cloud driver calls, password hashing),
// so that it never holds up the event loop. Tasks run in submission order as threads free
// up; a task reports back by posting to the loop itself.
//
// Thread-safe. The destructor drops tasks not yet started (a server stopping must not
// start machines; their records are recovered at the next start), then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace kraken {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();
  void Submit(std::function<void()> task);
  // Submits `task` unless `max_queued` tasks already wait for a thread; false when full.
  bool TrySubmit(std::function<void()> task, size_t max_queued);

 private:
  void Work();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace kraken
