// Test support for the http module's tests: a Server on 127.0.0.1 with a free port and
// its Loop running on a thread of its own, plus raw-socket helpers for requests a
// well-behaved client would never send. Tests only.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "http/router.h"
#include "http/server.h"

namespace kraken::http {

class ServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {}) {
    options.address = "127.0.0.1";
    server_ = std::make_unique<Server>(loop_, router_, options);
    auto started = server_->Start();
    ASSERT_TRUE(started) << started.error().message;
    thread_ = std::thread([this] { loop_.Run(); });
  }

  void TearDown() override {
    if (thread_.joinable()) {
      loop_.Post([this] {
        server_->Stop();
        loop_.Stop();
      });
      thread_.join();
    }
    server_.reset();
  }

  // Runs `fn` on the loop thread and returns its result.
  template <typename F>
  auto OnLoop(F fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    loop_.Post([&task] { task(); });
    return result.get();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  Loop loop_;
  Router router_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// Polls `condition` until it holds or `timeout` passes; returns its last value.
template <typename F>
bool WaitFor(F condition, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// A blocking TCP socket to 127.0.0.1, from `source` (another loopback address such as
// "127.0.0.2" stands for a second client) or the default; closes itself.
class RawSocket {
 public:
  explicit RawSocket(uint16_t port, const char* source = nullptr)
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (source != nullptr) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      ::inet_pton(AF_INET, source, &local.sin_addr);
      if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawSocket() { Close(); }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return connected_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads whatever arrives within `timeout` of the previous piece; "" on EOF.
  std::string ReadSome(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
    char data[65536];
    ssize_t n = ::recv(fd_, data, sizeof data, 0);
    return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
  }

  // Reads one response framed by Content-Length (what the server sends for plain answers).
  std::string ReadResponse(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    while (true) {
      size_t end = pending_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        std::string head = pending_.substr(0, end);
        for (char& c : head) c = static_cast<char>(std::tolower(c));
        if (size_t at = head.find("content-length:"); at != std::string::npos) {
          length = std::stoul(head.substr(at + 15));
        }
        if (pending_.size() >= end + 4 + length) {
          std::string response = pending_.substr(0, end + 4 + length);
          pending_.erase(0, end + 4 + length);
          return response;
        }
      }
      std::string more = ReadSome(timeout);
      if (more.empty()) return std::exchange(pending_, {});
      pending_ += more;
    }
  }

  // Reads until the server closes the connection.
  std::string ReadAll(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::string all = std::exchange(pending_, {});
    for (std::string more = ReadSome(timeout); !more.empty(); more = ReadSome(timeout)) {
      all += more;
    }
    return all;
  }

 private:
  int fd_;
  bool connected_ = false;
  std::string pending_;
};

}  // namespace kraken::http
