#include "http/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace kraken::http {
namespace {

using namespace std::chrono_literals;

// A one-connection HTTP server on 127.0.0.1: it accepts a single client, then stops
// listening, so a second connection attempt is refused.
class OneConnectionServer {
 public:
  OneConnectionServer() : listen_fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), size);
    ::listen(listen_fd_, 1);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
  }
  ~OneConnectionServer() {
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }

  // Serves `count` requests on the first connection, answering each with its number.
  void Serve(int count) {
    thread_ = std::thread([this, count] {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      ::close(listen_fd_);
      listen_fd_ = -1;
      std::string pending;
      for (int i = 1; i <= count; ++i) {
        while (pending.find("\r\n\r\n") == std::string::npos) {
          char data[4096];
          ssize_t n = ::recv(fd, data, sizeof data, 0);
          if (n <= 0) break;
          pending.append(data, static_cast<size_t>(n));
        }
        pending.erase(0, pending.find("\r\n\r\n") + 4);
        std::string body = std::to_string(i);
        std::string response =
            "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        ::send(fd, response.data(), response.size(), MSG_NOSIGNAL);
      }
      ::close(fd);
    });
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  int listen_fd_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST(ClientTest, ReusesOneConnection) {
  OneConnectionServer server;
  server.Serve(3);
  Client client;
  for (std::string expected : {"1", "2", "3"}) {
    auto got = client.Request("GET", server.Url(), {}, {}, 2s);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->body, expected);
  }
}

TEST(ClientTest, RefusedConnectionIsUnavailable) {
  uint16_t port;
  {
    OneConnectionServer server;  // a port that nobody listens on once this is gone
    port = std::stoi(server.Url().substr(17));
  }
  Client client;
  auto got = client.Request("GET", "http://127.0.0.1:" + std::to_string(port) + "/x");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(got.error().message.find("GET http://127.0.0.1:"), std::string::npos)
      << got.error().message;
}

TEST(ClientTest, TimeoutIsUnavailable) {
  OneConnectionServer server;  // accepts (in the kernel) but never answers
  Client client;
  auto start = std::chrono::steady_clock::now();
  auto got = client.Request("GET", server.Url(), {}, {}, 200ms);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(ClientTest, AbortFlagEndsAWaitingRequestLongBeforeItsTimeout) {
  OneConnectionServer server;  // accepts (in the kernel) but never answers, like a parked poll
  Client client;
  std::atomic<bool> stop{false};
  client.set_abort_flag(&stop);
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    stop = true;
  });
  auto start = std::chrono::steady_clock::now();
  auto got = client.Request("POST", server.Url(), "{}", {}, 60s);
  auto took = std::chrono::steady_clock::now() - start;
  stopper.join();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kUnavailable);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 3s);
}

}  // namespace
}  // namespace kraken::http
