// The HTTP server under floods and slow clients (docs/benchmarks.md). Boots the real
// `kraken server` on loopback and measures:
//
//  1. Load: N keep-alive connections, from 10 loopback addresses, each sending authenticated
//     GETs back to back for S seconds: requests, errors, and latency percentiles.
//  2. Attack: M connections, from 20 loopback addresses (--addresses), that send a header and then
//  trickle
//     their body one byte a second, while real agents run a flow and a prober GETs
//     /api/v1/health on a fresh connection every 100 ms: how many the server took and
//     turned away, the health latencies, and how the flow ended.
//
// Everything is bounded (connections, seconds) and stops by itself.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bench_process.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using kraken::Json;
using kraken::bench::Percentile;

namespace {

double MillisSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// A non-blocking connect to 127.0.0.1:port from `source`; -1 when out of descriptors.
int ConnectFrom(const std::string& source, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<uint16_t>(port));
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
      (::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0 &&
       errno != EINPROGRESS)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The length of the first complete response in `in` (framed by Content-Length), or 0.
size_t CompleteResponse(const std::string& in) {
  size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  size_t length = 0;
  if (size_t at = in.find("Content-Length: "); at != std::string::npos && at < end) {
    length = std::stoul(in.substr(at + 16));
  }
  return in.size() >= end + 4 + length ? end + 4 + length : 0;
}

// A blocking GET on a fresh connection; the status, or 0 when the connection failed.
int GetOnce(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<uint16_t>(port));
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  int status = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0) {
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string in;
    char buf[4096];
    while (CompleteResponse(in) == 0) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
    }
    if (CompleteResponse(in) > 0) status = std::atoi(in.c_str() + 9);
  }
  ::close(fd);
  return status;
}

struct Server {
  std::string dir, url;
  int port = 0;
  pid_t pid = 0;
  kraken::bench::Endpoint api;

  Server() {
    dir = fs::temp_directory_path() / ("kraken-bench-flood-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    port = kraken::bench::FreePort();
    url = "http://127.0.0.1:" + std::to_string(port);
    api.url = url;
    pid = kraken::bench::Launch(
        {KRAKEN_BIN, "server", "--data-dir", dir + "/server", "--port", std::to_string(port)},
        dir + "/server.log");
    if (!kraken::bench::Endpoint::WaitUp({{&api, "/api/v1/health"}})) std::exit(1);
    api.Login();
  }
  ~Server() {
    kraken::bench::Stop(pid);
    fs::remove_all(dir);
  }
};

// 1. `connections` keep-alive clients send authenticated GETs back to back for `seconds`.
void Load(Server& s, int connections, int seconds) {
  std::string request = "GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                        s.api.token + "\r\n\r\n";
  struct Conn {
    std::string source, in;
    Clock::time_point sent;
    bool connected = false;
  };
  int ep = ::epoll_create1(0);
  std::unordered_map<int, Conn> conns;
  long errors = 0;
  std::vector<double> ms;
  auto open = [&](const std::string& source) {
    int fd = ConnectFrom(source, s.port);
    if (fd < 0) return ++errors, void();
    epoll_event ev{EPOLLOUT | EPOLLIN, {.fd = fd}};
    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    conns[fd] = Conn{source, {}, Clock::now(), false};
  };
  auto drop = [&](int fd, bool reopen) {
    std::string source = conns[fd].source;
    ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    conns.erase(fd);
    if (reopen) open(source);
  };
  for (int i = 0; i < connections; ++i) open("127.0.0." + std::to_string(10 + i % 10));
  auto t0 = Clock::now();
  auto end = t0 + std::chrono::seconds(seconds);
  std::vector<epoll_event> events(1024);
  while (Clock::now() < end) {
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      Conn& c = conns[fd];
      if (!c.connected && (events[i].events & EPOLLOUT)) {
        c.connected = true;
        epoll_event ev{EPOLLIN, {.fd = fd}};
        ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
        c.sent = Clock::now();
        ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
        continue;
      }
      char buf[16384];
      ssize_t got = ::recv(fd, buf, sizeof buf, 0);
      if (got <= 0) {
        ++errors;
        drop(fd, Clock::now() < end);
        continue;
      }
      c.in.append(buf, static_cast<size_t>(got));
      size_t length = CompleteResponse(c.in);
      if (length == 0) continue;
      if (c.in.rfind("HTTP/1.1 200 ", 0) == 0) {
        ms.push_back(MillisSince(c.sent));
      } else {
        ++errors;
      }
      c.in.erase(0, length);
      c.sent = Clock::now();
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    }
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  for (auto& [fd, c] : conns) ::close(fd);
  ::close(ep);
  if (ms.empty()) ms.push_back(0);
  std::printf(
      "| load: %d connections, authenticated GETs for %d s | %zu requests (%.0f/s) | "
      "%ld errors | p50 %.1f ms | p95 %.1f ms | p99 %.1f ms |\n",
      connections, seconds, ms.size(), ms.size() / secs, errors, Percentile(ms, 0.5),
      Percentile(ms, 0.95), Percentile(ms, 0.99));
}

// 2. `attackers` slow connections while `jobs` jobs of `sleep 1` run on 2 real agents.
void Attack(Server& s, int attackers, int jobs, int addresses) {
  Json project = s.api.Call("POST", "/api/v1/projects", {{"name", "flood"}});
  Json branch = s.api.Call(
      "POST", "/api/v1/projects/" + std::to_string(project["id"].get<int64_t>()) + "/branches",
      {{"name", "main"}});
  std::string branch_path = "/api/v1/branches/" + std::to_string(branch["id"].get<int64_t>());
  Json list = Json::array();
  for (int i = 0; i < jobs; ++i) {
    list.push_back({{"name", "j" + std::to_string(i)},
                    {"steps", Json::array({{{"tool", "shell"}, {"cmd", "sleep 1"}}})},
                    {"environments", Json::array({{{"system", "any"}, {"agents_group", "all"}}})}});
  }
  s.api.Call("POST", branch_path + "/stages", {{"name", "slow"}, {"schema", {{"jobs", list}}}});
  std::vector<pid_t> agents;
  for (int i = 0; i < 2; ++i) {
    std::string token = s.api.Call("POST", "/api/v1/registration-tokens", Json::object())["token"];
    std::string dir = s.dir + "/agent" + std::to_string(i);
    agents.push_back(kraken::bench::Launch(
        {KRAKEN_BIN, "agent", "--server", s.url, "--data-dir", dir, "--registration-token", token},
        dir + ".log"));
  }

  // The attack: a header promising a body, then one byte of it a second.
  const std::string header =
      "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 100000\r\n\r\n";
  int ep = ::epoll_create1(0);
  std::unordered_map<int, bool> live;  // fd -> header sent
  long opened = 0, turned_away = 0, cut_off = 0, failed = 0;
  auto t0 = Clock::now();
  std::vector<epoll_event> events(1024);
  auto pump = [&](int timeout_ms) {
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), timeout_ms);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (!live[fd] && (events[i].events & EPOLLOUT)) {
        live[fd] = true;
        epoll_event ev{EPOLLIN, {.fd = fd}};
        ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
        ::send(fd, header.data(), header.size(), MSG_NOSIGNAL);
        continue;
      }
      char buf[4096];
      ssize_t got = ::recv(fd, buf, sizeof buf, 0);
      if (got > 0 && std::strncmp(buf, "HTTP/1.1 503", 12) == 0)
        ++turned_away;
      else if (got == 0)
        ++cut_off;
      else
        ++failed;
      ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
      ::close(fd);
      live.erase(fd);
    }
  };
  while (opened < attackers) {
    int fd = ConnectFrom("127.0.1." + std::to_string(1 + opened % addresses), s.port);
    if (fd < 0) {
      pump(10);  // out of descriptors: let turned-away connections close
      continue;
    }
    ++opened;
    epoll_event ev{EPOLLOUT | EPOLLIN, {.fd = fd}};
    ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    live[fd] = false;
    if (opened % 500 == 0) pump(0);
  }
  for (int i = 0; i < 50; ++i) pump(10);
  size_t held = live.size();
  double opening = MillisSince(t0);

  // The flow and the prober run while the attack trickles on.
  std::atomic<bool> done{false};
  std::vector<double> health;
  long health_failed = 0;
  std::thread prober([&] {
    while (!done) {
      auto t = Clock::now();
      if (GetOnce(s.port, "/api/v1/health") == 200)
        health.push_back(MillisSince(t));
      else
        ++health_failed;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  auto flow_start = Clock::now();
  Json flow = s.api.Call("POST", branch_path + "/flows", {{"kind", "ci"}});
  std::string flow_path = "/api/v1/flows/" + std::to_string(flow["id"].get<int64_t>());
  std::string state, outcome;
  auto last_byte = Clock::now();
  while (MillisSince(flow_start) < 120'000) {
    pump(100);
    if (Clock::now() - last_byte >= std::chrono::seconds(1)) {
      last_byte = Clock::now();
      for (auto& [fd, sent] : live)
        if (sent) ::send(fd, "x", 1, MSG_NOSIGNAL);
    }
    Json f = s.api.Call("GET", flow_path);
    state = f["state"];
    if (state == "completed") {
      outcome = f.value("completion_status", Json("")).dump();
      break;
    }
  }
  double flow_secs = MillisSince(flow_start) / 1000;
  done = true;
  prober.join();
  size_t still_held = live.size();
  for (auto& [fd, sent] : live) ::close(fd);
  ::close(ep);
  for (pid_t p : agents) kraken::bench::Stop(p);
  long slow = 0;
  for (double v : health) slow += v > 100;
  if (health.empty()) health.push_back(0);
  std::printf(
      "| attack: %d slow connections from %d addresses (opened in %.1f s) | held %zu, "
      "turned away %ld, cut off %ld, failed %ld; %zu still held at the end |\n",
      attackers, addresses, opening / 1000, held, turned_away, cut_off, failed, still_held);
  std::printf("| meanwhile: flow of %d `sleep 1` jobs on 2 agents | %s %s in %.1f s |\n", jobs,
              state.c_str(), outcome.c_str(), flow_secs);
  std::printf(
      "| meanwhile: GET /api/v1/health every 100 ms | %zu answered, %ld failed | p50 %.1f ms "
      "| p95 %.1f ms | max %.1f ms | %ld over 100 ms |\n",
      health.size(), health_failed, Percentile(health, 0.5), Percentile(health, 0.95),
      Percentile(health, 1.0), slow);
}

}  // namespace

int main(int argc, char** argv) {
  int connections = 2000, seconds = 20, attackers = 20000, jobs = 20, addresses = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--connections")
      connections = value;
    else if (flag == "--seconds")
      seconds = value;
    else if (flag == "--attackers")
      attackers = value;
    else if (flag == "--jobs")
      jobs = value;
    else if (flag == "--addresses")
      addresses = std::clamp(value, 1, 250);
  }
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  Server s;
  Load(s, connections, seconds);
  Attack(s, attackers, jobs, addresses);
  return 0;
}
