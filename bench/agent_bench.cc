// The self-contained kraken-agent: its size on disk, how fast it starts (`--version`), and
// its resident memory while idle, registered with a real `kraken server` and parked in a
// long-poll. Prints a table; docs/benchmarks.md has the figures and the targets.
//
//   agent_bench [--runs N] [--idle-seconds S]
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_process.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

long StatusKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(field + ":")) return std::atol(line.c_str() + field.size() + 1);
  return -1;
}

struct StartTimes {
  std::vector<double> wall_ms;  // from spawning to reaping
  std::vector<double> cpu_ms;   // the child's user + system time: what a busy machine
                                // adds in waiting for a core is left out
};

// Runs `argv` (output to /dev/null) `runs` times.
StartTimes MeasureStarts(const std::vector<std::string>& argv, int runs) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  StartTimes times;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    pid_t pid = 0;
    if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) {
      std::fprintf(stderr, "cannot run %s\n", args[0]);
      std::exit(1);
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    times.wall_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
    times.cpu_ms.push_back(ms(usage.ru_utime) + ms(usage.ru_stime));
  }
  posix_spawn_file_actions_destroy(&actions);
  return times;
}

void PrintStart(const std::string& what, const std::vector<std::string>& argv, int runs) {
  StartTimes t = MeasureStarts(argv, runs);
  using kraken::bench::Percentile;
  std::printf("| %s start (%d runs) | wall p50 %.2f ms, p90 %.2f ms; CPU p50 %.2f ms |\n",
              what.c_str(), runs, Percentile(t.wall_ms, 0.5), Percentile(t.wall_ms, 0.9),
              Percentile(t.cpu_ms, 0.5));
}

// Starts a server and kraken-agent, waits until the agent is registered and parked in its
// poll, then samples the agent's resident memory for `idle_seconds`.
void IdleMemory(int idle_seconds) {
  std::string dir = fs::temp_directory_path() / ("kraken-agent-bench-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  kraken::bench::Endpoint api;
  int port = kraken::bench::FreePort();
  api.url = "http://127.0.0.1:" + std::to_string(port);
  pid_t server = kraken::bench::Launch(
      {KRAKEN_BIN, "server", "--data-dir", dir + "/server", "--port", std::to_string(port)},
      dir + "/server.log");
  if (!kraken::bench::Endpoint::WaitUp({{&api, "/api/v1/health"}})) {
    std::fprintf(stderr, "the server did not start: see %s/server.log\n", dir.c_str());
    std::exit(1);
  }
  api.Login();
  std::string token =
      api.Call("POST", "/api/v1/registration-tokens", kraken::Json::object())["token"];
  pid_t agent = kraken::bench::Launch({KRAKEN_AGENT_BIN, "--server", api.url, "--data-dir",
                                       dir + "/agent", "--registration-token", token},
                                      dir + "/agent.log");
  for (int i = 0; i < 500 && api.Call("GET", "/api/v1/agents?authorized=true").empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  long max_rss = 0;
  for (int i = 0; i < idle_seconds * 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    max_rss = std::max(max_rss, StatusKb(agent, "VmRSS"));
  }
  std::printf(
      "| kraken-agent resident memory, idle %d s (registered, polling) | %.1f MB (max %.1f MB, "
      "peak %.1f MB) |\n",
      idle_seconds, StatusKb(agent, "VmRSS") / 1024.0, max_rss / 1024.0,
      StatusKb(agent, "VmHWM") / 1024.0);
  kraken::bench::Stop(agent);
  kraken::bench::Stop(server);
  fs::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 200, idle_seconds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--runs") runs = std::atoi(argv[i + 1]);
    if (flag == "--idle-seconds") idle_seconds = std::atoi(argv[i + 1]);
  }
  std::printf("| measure | result |\n|---|---|\n");
  std::printf("| kraken-agent size on disk (stripped) | %.2f MB (%jd bytes) |\n",
              fs::file_size(KRAKEN_AGENT_BIN) / 1e6,
              static_cast<intmax_t>(fs::file_size(KRAKEN_AGENT_BIN)));
  PrintStart("`kraken-agent --version`", {KRAKEN_AGENT_BIN, "--version"}, runs);
  // The floor on this machine: a static program that does nothing but start and exit.
  PrintStart("`busybox true` (static, for comparison)", {"/bin/busybox", "true"}, runs);
  IdleMemory(idle_seconds);
  return 0;
}
