#include "bench_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "http/free_port.h"

namespace kraken::bench {

int FreePort() { return http::FreeLoopbackPort(); }

namespace {

// The processes launched and not yet stopped, for the exit paths below: a benchmark stopped
// by a signal (a timeout, ^C) or ending early on a failed call leaves nothing running.
constexpr int kMaxLaunched = 64;
std::atomic<pid_t> launched[kMaxLaunched];

void StopAllLaunched() {
  for (auto& slot : launched)
    if (pid_t pid = slot.exchange(0); pid > 0) kill(pid, SIGTERM);
}

void OnSignal(int sig) {
  StopAllLaunched();  // kill() and atomics only: safe in a handler
  _exit(128 + sig);
}

void Remember(pid_t pid) {
  static bool hooked = [] {
    std::atexit(StopAllLaunched);
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) std::signal(sig, OnSignal);
    return true;
  }();
  (void)hooked;
  for (auto& slot : launched) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, pid)) return;
  }
}

void Forget(pid_t pid) {
  for (auto& slot : launched) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

}  // namespace

pid_t Launch(std::vector<std::string> argv, const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    setenv("KRAKEN_ADMIN_PASSWORD", "bench", 1);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  if (pid > 0) Remember(pid);
  return pid;
}

void Stop(pid_t pid) {
  if (pid <= 0) return;
  Forget(pid);
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

Json Endpoint::Call(const std::string& method, const std::string& path, const Json& body) {
  std::vector<std::string> h = {"Content-Type: application/json"};
  if (!token.empty()) h.push_back("Authorization: Bearer " + token);
  auto r = client.Request(method, url + path, body.is_null() ? "" : body.dump(), h);
  if (!r || r->status >= 300) {
    std::fprintf(stderr, "%s %s failed: %s\n", method.c_str(), path.c_str(),
                 r ? r->body.c_str() : r.error().message.c_str());
    std::exit(1);
  }
  return Json::parse(r->body);
}

bool Endpoint::Up(const std::string& path) {
  auto r = client.Request("GET", url + path);
  return r && r->status == 200;
}

bool Endpoint::WaitUp(const std::vector<std::pair<Endpoint*, std::string>>& endpoints,
                      int attempts) {
  for (int i = 0; i < attempts; ++i) {
    bool all = true;
    for (const auto& [e, path] : endpoints) all = all && e->Up(path);
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void Endpoint::Login() {
  token = Call("POST", "/api/v1/auth/login", {{"user", "admin"}, {"password", "bench"}})["token"];
}

}  // namespace kraken::bench
