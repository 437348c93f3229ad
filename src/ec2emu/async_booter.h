// A Booter that boots and halts off the caller's thread, so the emulator's event loop
// keeps answering the Query API while instances boot: creating a network namespace, its
// port forwarders and its init takes tens of milliseconds per instance, and a hundred
// instances launched at once would otherwise hold every DescribeInstances (and the next
// RunInstances) behind them, which EC2 never does.
//
// Boot and Halt return at once and run on one of a few worker threads, chosen by the
// instance id so that one instance's calls run in the order they were made (a Halt after
// its Boot). A boot that fails is reported in the instance's console, as a failed boot
// shows on EC2. The wrapped Booter must accept calls for different instances from
// several threads at once.
//
// Thread-safe. The destructor finishes every queued call, then joins its threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ec2emu/booter.h"

namespace kraken::ec2emu {

class AsyncBooter : public Booter {
 public:
  AsyncBooter(Booter& inner, int threads = 4);
  ~AsyncBooter() override;

  Status Boot(const std::string& instance_id, const std::string& image_id,
              const std::string& user_data) override;
  void Halt(const std::string& instance_id) override;
  std::string Console(const std::string& instance_id) override;

  // Waits until every call made so far has run (tests).
  void Drain();

 private:
  struct Lane {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::function<void()>> calls;  // guarded by mu
    bool busy = false;                        // guarded by mu: a call is running
    bool stopping = false;                    // guarded by mu
    std::thread thread;
  };
  void Submit(const std::string& instance_id, std::function<void()> call);
  static void Work(Lane& lane);

  Booter& inner_;
  std::mutex mu_;
  std::map<std::string, std::string> failed_;  // guarded by mu_: instance id -> boot error
  std::vector<std::unique_ptr<Lane>> lanes_;
};

}  // namespace kraken::ec2emu
