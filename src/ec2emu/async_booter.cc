#include "ec2emu/async_booter.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace kraken::ec2emu {

AsyncBooter::AsyncBooter(Booter& inner, int threads) : inner_(inner) {
  for (int i = 0; i < std::max(threads, 1); ++i) {
    lanes_.push_back(std::make_unique<Lane>());
    Lane* lane = lanes_.back().get();
    lane->thread = std::thread([lane] { Work(*lane); });
  }
}

AsyncBooter::~AsyncBooter() {
  for (auto& lane : lanes_) {
    {
      std::lock_guard lock(lane->mu);
      lane->stopping = true;
    }
    lane->cv.notify_all();
  }
  for (auto& lane : lanes_) lane->thread.join();
}

void AsyncBooter::Work(Lane& lane) {
  std::unique_lock lock(lane.mu);
  for (;;) {
    lane.cv.wait(lock, [&] { return lane.stopping || !lane.calls.empty(); });
    if (lane.calls.empty()) return;  // stopping, and nothing left to run
    auto call = std::move(lane.calls.front());
    lane.calls.pop_front();
    lane.busy = true;
    lock.unlock();
    call();
    lock.lock();
    lane.busy = false;
    lane.cv.notify_all();
  }
}

void AsyncBooter::Submit(const std::string& instance_id, std::function<void()> call) {
  Lane& lane = *lanes_[std::hash<std::string>{}(instance_id) % lanes_.size()];
  {
    std::lock_guard lock(lane.mu);
    lane.calls.push_back(std::move(call));
  }
  lane.cv.notify_all();
}

Status AsyncBooter::Boot(const std::string& instance_id, const std::string& image_id,
                         const std::string& user_data) {
  {
    std::lock_guard lock(mu_);
    failed_.erase(instance_id);
  }
  Submit(instance_id, [this, instance_id, image_id, user_data] {
    if (auto st = inner_.Boot(instance_id, image_id, user_data); !st) {
      spdlog::warn("ec2-emulator: {} did not boot: {}", instance_id, st.error().message);
      std::lock_guard lock(mu_);
      failed_[instance_id] = st.error().message;
    }
  });
  return {};
}

void AsyncBooter::Halt(const std::string& instance_id) {
  Submit(instance_id, [this, instance_id] { inner_.Halt(instance_id); });
}

std::string AsyncBooter::Console(const std::string& instance_id) {
  {
    std::lock_guard lock(mu_);
    auto it = failed_.find(instance_id);
    if (it != failed_.end()) return "kraken ec2-emulator: boot failed: " + it->second + "\n";
  }
  return inner_.Console(instance_id);
}

void AsyncBooter::Drain() {
  for (auto& lane : lanes_) {
    std::unique_lock lock(lane->mu);
    lane->cv.wait(lock, [&] { return lane->calls.empty() && !lane->busy; });
  }
}

}  // namespace kraken::ec2emu
