#include "ec2emu/netns_forwarder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kraken::ec2emu {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Runs in a thread of its own, which enters the namespace and dies there: the process's
// other threads stay in the host's namespace. Sockets keep the namespace they were made in.
Result<int> ListenInside(const std::string& netns_path, int port) {
  Result<int> result = Fail(ErrorCode::kInternal, "not run");
  std::thread([&] {
    int ns = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0) {
      result = Fail(ErrorCode::kInternal, Errno("open " + netns_path));
      return;
    }
    int rc = setns(ns, CLONE_NEWNET);
    close(ns);
    if (rc != 0) {
      result = Fail(ErrorCode::kInternal, Errno("setns " + netns_path));
      return;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      result = Fail(ErrorCode::kInternal, Errno("socket"));
      return;
    }
    // A fresh namespace's loopback is down.
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
      ifr.ifr_flags |= IFF_UP;
      if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) {
        result = Fail(ErrorCode::kInternal, Errno("bring lo up"));
        close(fd);
        return;
      }
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        listen(fd, 64) != 0) {
      result = Fail(ErrorCode::kInternal, Errno("listen on 127.0.0.1:" + std::to_string(port)));
      close(fd);
      return;
    }
    result = fd;
  }).join();
  return result;
}

int ConnectHost(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

NetnsForwarder::~NetnsForwarder() { Stop(); }

Status NetnsForwarder::Start(const std::string& netns_path, int port) {
  KR_ASSIGN(listener_, ListenInside(netns_path, port));
  port_ = port;
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return {};
}

void NetnsForwarder::Stop() {
  if (listener_ < 0) return;
  stopping_ = true;
  shutdown(listener_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  close(listener_);
  listener_ = -1;
  std::vector<std::thread> pipes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : connections_) shutdown(fd, SHUT_RDWR);
    pipes.swap(pipes_);
  }
  for (std::thread& t : pipes) t.join();
}

void NetnsForwarder::AcceptLoop() {
  while (!stopping_) {
    int inside = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (inside < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // shut down
    }
    int outside = ConnectHost(port_);
    if (outside < 0) {
      close(inside);
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    connections_.push_back(inside);
    connections_.push_back(outside);
    pipes_.emplace_back([this, inside, outside] { Pipe(inside, outside); });
  }
}

// Copies both ways until either side closes, then closes both.
void NetnsForwarder::Pipe(int inside, int outside) {
  pollfd fds[2] = {{inside, POLLIN, 0}, {outside, POLLIN, 0}};
  char buffer[64 * 1024];
  bool open = true;
  while (open && !stopping_) {
    if (poll(fds, 2, 500) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2 && open; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n <= 0) {
        open = false;
        break;
      }
      for (ssize_t sent = 0; sent < n;) {
        ssize_t w = send(fds[1 - i].fd, buffer + sent, n - sent, MSG_NOSIGNAL);
        if (w <= 0) {
          open = false;
          break;
        }
        sent += w;
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::erase(connections_, inside);
  std::erase(connections_, outside);
  close(inside);
  close(outside);
}

}  // namespace kraken::ec2emu
