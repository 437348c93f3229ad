// Test support: the EC2 emulator on 127.0.0.1 (a free port) with its loop on a thread of
// its own, and a Booter that only records what it was asked. Tests only.
#pragma once

#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cloud/aws/curl_transport.h"
#include "cloud/aws/ec2_client.h"
#include "ec2emu/emulator.h"
#include "http/router.h"
#include "http/server.h"

namespace kraken::ec2emu {

class RecordingBooter : public Booter {
 public:
  Status Boot(const std::string& id, const std::string& /*image_id*/,
              const std::string& user_data) override {
    std::lock_guard lock(mu_);
    booted_.push_back({id, user_data});
    running_.insert(id);
    return {};
  }
  void Halt(const std::string& id) override {
    std::lock_guard lock(mu_);
    running_.erase(id);
  }
  std::string Console(const std::string& id) override { return "console of " + id; }

  std::vector<std::pair<std::string, std::string>> booted() {
    std::lock_guard lock(mu_);
    return booted_;
  }
  bool running(const std::string& id) {
    std::lock_guard lock(mu_);
    return running_.count(id) > 0;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> booted_;
  std::set<std::string> running_;
};

class RunningEmulator {
 public:
  RunningEmulator(Booter& booter, EmulatorOptions options = {}) {
    emulator_ = std::make_unique<Emulator>(loop_, booter, options);
    emulator_->Register(router_);
    server_ = std::make_unique<http::Server>(loop_, router_, http::ServerOptions{});
    auto st = server_->Start();
    if (!st) throw std::runtime_error(st.error().message);
    thread_ = std::thread([this] { loop_.Run(); });
  }
  ~RunningEmulator() {
    loop_.Post([this] {
      server_->Stop();
      emulator_.reset();
      loop_.Stop();
    });
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  int port() const { return server_->port(); }

  // Runs `fn` on the loop thread with the emulator and returns its result.
  template <typename F>
  auto OnLoop(F fn) -> decltype(fn(std::declval<Emulator&>())) {
    std::packaged_task<decltype(fn(std::declval<Emulator&>()))()> task(
        [this, &fn] { return fn(*emulator_); });
    auto result = task.get_future();
    loop_.Post([&task] { task(); });
    return result.get();
  }

  aws::Ec2ClientConfig Config(
      const std::string& region = "us-east-1",
      const std::string& secret = EmulatorOptions{}.secret_access_key) const {
    return {{EmulatorOptions{}.access_key_id, secret, ""}, region, url(), {}};
  }

 private:
  http::Loop loop_;
  http::Router router_;
  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};

}  // namespace kraken::ec2emu
