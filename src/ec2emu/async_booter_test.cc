#include "ec2emu/async_booter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

namespace kraken::ec2emu {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Takes its time to boot, like a namespace and its forwarders do, and logs every call.
class SlowBooter : public Booter {
 public:
  Status Boot(const std::string& id, const std::string& /*image_id*/,
              const std::string& user_data) override {
    std::this_thread::sleep_for(200ms);
    Log("boot " + id);
    if (user_data == "fail") return Fail(ErrorCode::kInternal, "no namespace for " + id);
    return {};
  }
  void Halt(const std::string& id) override { Log("halt " + id); }
  std::string Console(const std::string& id) override { return "console of " + id; }

  std::vector<std::string> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  void Log(const std::string& call) {
    std::lock_guard lock(mu_);
    calls_.push_back(call);
  }
  std::mutex mu_;
  std::vector<std::string> calls_;
};

TEST(AsyncBooterTest, BootReturnsBeforeTheSlowBootIsDone) {
  SlowBooter slow;
  AsyncBooter booter(slow);
  auto start = SteadyClock::now();
  ASSERT_TRUE(booter.Boot("i-1", "ami-1", "#!/bin/bash\n"));
  EXPECT_LT(SteadyClock::now() - start, 100ms);
  EXPECT_TRUE(slow.calls().empty());
  booter.Drain();
  EXPECT_EQ(slow.calls(), std::vector<std::string>{"boot i-1"});
  EXPECT_EQ(booter.Console("i-1"), "console of i-1");
}

TEST(AsyncBooterTest, AHaltRightAfterItsBootRunsAfterIt) {
  SlowBooter slow;
  AsyncBooter booter(slow);
  ASSERT_TRUE(booter.Boot("i-1", "ami-1", ""));
  booter.Halt("i-1");
  booter.Drain();
  EXPECT_EQ(slow.calls(), (std::vector<std::string>{"boot i-1", "halt i-1"}));
}

TEST(AsyncBooterTest, AFailedBootShowsInTheConsole) {
  SlowBooter slow;
  AsyncBooter booter(slow);
  ASSERT_TRUE(booter.Boot("i-2", "ami-1", "fail"));
  booter.Drain();
  EXPECT_EQ(booter.Console("i-2"), "kraken ec2-emulator: boot failed: no namespace for i-2\n");
}

TEST(AsyncBooterTest, DestructionRunsEveryQueuedCall) {
  SlowBooter slow;
  {
    AsyncBooter booter(slow, 1);
    ASSERT_TRUE(booter.Boot("i-1", "ami-1", ""));
    ASSERT_TRUE(booter.Boot("i-2", "ami-1", ""));
    booter.Halt("i-1");
  }
  EXPECT_EQ(slow.calls(), (std::vector<std::string>{"boot i-1", "boot i-2", "halt i-1"}));
}

}  // namespace
}  // namespace kraken::ec2emu
