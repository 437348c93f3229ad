// A loopback HTTP/1.1 server for tests: listens on 127.0.0.1 on a free port and answers
// exactly one connection on a thread of its own. Test-only; not part of the library.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <functional>
#include <string>
#include <thread>

namespace kraken::aws {

inline int ListenOnLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(fd, 4) != 0) {
    ADD_FAILURE() << "cannot listen on 127.0.0.1";
    return -1;
  }
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  *port = ntohs(address.sin_port);
  return fd;
}

// Reads one HTTP/1.1 request (headers, then Content-Length bytes of body).
inline std::string ReadRequest(int fd) {
  std::string data;
  char buffer[4096];
  size_t body_start = std::string::npos;
  size_t content_length = 0;
  while (true) {
    if (body_start == std::string::npos) {
      body_start = data.find("\r\n\r\n");
      if (body_start != std::string::npos) {
        body_start += 4;
        std::string head = data.substr(0, body_start);
        for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t header = head.find("\r\ncontent-length:");
        if (header != std::string::npos) content_length = std::stoul(head.substr(header + 17));
      }
    }
    if (body_start != std::string::npos && data.size() >= body_start + content_length) {
      return data;
    }
    pollfd poll_fd{fd, POLLIN, 0};
    if (poll(&poll_fd, 1, 5000) <= 0) return data;
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) return data;
    data.append(buffer, static_cast<size_t>(n));
  }
}

class OneRequestServer {
 public:
  using Reply = std::function<std::string(const std::string& raw_request)>;

  explicit OneRequestServer(Reply reply) : listen_fd_(ListenOnLoopback(&port_)) {
    thread_ = std::thread([this, reply = std::move(reply)] {
      pollfd poll_fd{listen_fd_, POLLIN, 0};
      if (poll(&poll_fd, 1, 5000) <= 0) return;
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      received_ = ReadRequest(fd);
      std::string response = reply(received_);
      size_t sent = 0;
      while (sent < response.size()) {
        ssize_t n = write(fd, response.data() + sent, response.size() - sent);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      close(fd);
    });
  }
  ~OneRequestServer() {
    thread_.join();
    close(listen_fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  // The raw request; read only after the response has arrived.
  const std::string& received() const { return received_; }

 private:
  int port_ = 0;
  int listen_fd_;
  std::string received_;
  std::thread thread_;
};

inline std::string HttpReply(int status, const std::string& reason, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: text/xml;charset=UTF-8\r\nX-Test: yes\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace kraken::aws
