// Benchmarks of the core engine, against the real server binary on loopback:
//   1. latency from a job becoming queued to its first step reaching an idle agent;
//   2. throughput of trivial jobs (`true`) over 2 and 8 real local agents;
//   3. server resident memory idle and with 1,000 agents parked in long-polls.
// Usage: engine_bench [--jobs N] [--parked N]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_process.h"
#include "core/json.h"
#include "http/client.h"

using kraken::Json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

using kraken::bench::Launch;
using kraken::bench::Percentile;

long RssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("VmRSS:")) return std::atol(line.c_str() + 6);
  return -1;
}

struct Server {
  std::string dir, url;
  int port = 0;
  pid_t pid = 0;
  kraken::bench::Endpoint api;

  explicit Server(const std::string& name) {
    dir = fs::temp_directory_path() / ("kraken-bench-" + name + "-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    port = kraken::bench::FreePort();
    url = "http://127.0.0.1:" + std::to_string(port);
    api.url = url;
    pid = Launch({KRAKEN_BIN, "server", "--data-dir", dir + "/server", "--port",
                  std::to_string(port), "--poll-wait", "60", "--agent-timeout", "120",
                  // its parked polls all come from 127.0.0.1
                  "--max-connections-per-address", "4096"},
                 dir + "/server.log");
    kraken::bench::Endpoint::WaitUp({{&api, "/api/v1/health"}});
    api.Login();
  }
  ~Server() {
    kraken::bench::Stop(pid);
    fs::remove_all(dir);
  }
  Json Call(const std::string& method, const std::string& path, const Json& body = nullptr) {
    return api.Call(method, path, body);
  }
  int64_t Branch() {
    Json p = Call("POST", "/api/v1/projects", {{"name", "bench"}});
    Json b =
        Call("POST", "/api/v1/projects/" + std::to_string(p["id"].get<int64_t>()) + "/branches",
             {{"name", "main"}});
    return b["id"];
  }
  void Stage(int64_t branch, const std::string& name, int jobs) {
    Json list = Json::array();
    for (int i = 0; i < jobs; ++i)
      list.push_back(
          {{"name", "j" + std::to_string(i)},
           {"steps", Json::array({{{"tool", "shell"}, {"cmd", "true"}}})},
           {"environments", Json::array({{{"system", "any"}, {"agents_group", "all"}}})}});
    Call("POST", "/api/v1/branches/" + std::to_string(branch) + "/stages",
         {{"name", name}, {"schema", {{"jobs", list}}}});
  }
  std::string RegToken() {
    return Call("POST", "/api/v1/registration-tokens", Json::object())["token"];
  }
};

// 1. A protocol-level agent in this process parks a poll; the bench starts a one-job flow and
// measures from just before the request that queues the job to the moment the agent holds
// its first step (an upper bound: it includes creating the flow).
void Latency(int jobs) {
  Server s("latency");
  int64_t branch = s.Branch();
  s.Stage(branch, "one", 1);
  kraken::http::Client agent_client;
  Json reg = Json::parse(agent_client
                             .Request("POST", s.url + "/agent/v1/register",
                                      Json{{"name", "bench-agent"},
                                           {"registration_token", s.RegToken()},
                                           {"host_info", Json::object()}}
                                          .dump())
                             ->body);
  std::string auth = "Authorization: Bearer " + reg["token"].get<std::string>();
  std::vector<double> ms;
  for (int i = 0; i < jobs + 20; ++i) {
    std::atomic<bool> parked{false};
    Json got;
    Clock::time_point received;
    std::thread agent([&] {
      parked = true;
      auto r = agent_client.Request("POST", s.url + "/agent/v1/poll?wait=10000", "{}", {auth});
      received = Clock::now();
      got = Json::parse(r->body);
    });
    while (!parked) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(3));  // let the poll park
    auto t0 = Clock::now();
    s.Call("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows", {{"kind", "ci"}});
    agent.join();
    if (got["job"].is_null()) {
      std::fprintf(stderr, "poll returned no job\n");
      std::exit(1);
    }
    if (i >= 20) ms.push_back(std::chrono::duration<double, std::milli>(received - t0).count());
    int64_t job = got["job"]["id"];
    auto r = agent_client.Request(
        "POST", s.url + "/agent/v1/jobs/" + std::to_string(job) + "/steps/0/finish",
        Json{{"status", "done"}, {"retcode", 0}}.dump(), {auth});
    if (!r || r->status != 200) std::exit(1);
  }
  std::printf(
      "| queued → first step on an idle agent (%d jobs) | p50 %.2f ms | p99 %.2f ms | max %.2f ms "
      "|\n",
      jobs, Percentile(ms, 0.5), Percentile(ms, 0.99), Percentile(ms, 1.0));
}

// 2. Real `kraken agent` processes run N trivial jobs.
void Throughput(int jobs, int agents) {
  Server s("tput" + std::to_string(agents));
  int64_t branch = s.Branch();
  s.Stage(branch, "many", jobs);
  std::vector<pid_t> pids;
  for (int i = 0; i < agents; ++i)
    pids.push_back(
        Launch({KRAKEN_BIN, "agent", "--server", s.url, "--data-dir",
                s.dir + "/agent" + std::to_string(i), "--registration-token", s.RegToken()},
               s.dir + "/agent" + std::to_string(i) + ".log"));
  for (int i = 0; i < 500; ++i) {
    Json a = s.Call("GET", "/api/v1/agents?authorized=true");
    if (static_cast<int>(a.size()) >= agents) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto t0 = Clock::now();
  Json flow =
      s.Call("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows", {{"kind", "ci"}});
  std::string path = "/api/v1/flows/" + std::to_string(flow["id"].get<int64_t>());
  while (s.Call("GET", path)["state"] != "completed")
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  Json runs = s.Call("GET", path + "/runs");
  int ok = 0;
  for (const auto& j : runs[0]["jobs"]) ok += j["completion_status"] == "ok";
  std::printf("| %d trivial jobs over %d agents | %.1f s | %.0f jobs/s | %d ok |\n", jobs, agents,
              secs, jobs / secs, ok);
  for (pid_t p : pids) {
    kill(p, SIGTERM);
    waitpid(p, nullptr, 0);
  }
}

// 3. Resident memory idle, then with N agents parked in long-polls (raw sockets stand in for
// agents: each registers, then sends one poll and waits).
void Memory(int parked) {
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  Server s("memory");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  long idle = RssKb(s.pid);
  std::vector<std::string> tokens;
  kraken::http::Client c;
  for (int i = 0; i < parked; ++i) {
    auto r = c.Request("POST", s.url + "/agent/v1/register",
                       Json{{"name", "p" + std::to_string(i)},
                            {"registration_token", s.RegToken()},
                            {"host_info", Json::object()}}
                           .dump());
    tokens.push_back(Json::parse(r->body)["token"]);
  }
  long registered = RssKb(s.pid);
  std::vector<int> fds;
  for (const auto& t : tokens) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(s.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      std::perror("connect");
      break;
    }
    std::string req =
        "POST /agent/v1/poll?wait=60000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + t +
        "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    if (write(fd, req.data(), req.size()) < 0) break;
    fds.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  long loaded = RssKb(s.pid);
  std::printf(
      "| server resident memory | idle %.1f MB | %d agents registered %.1f MB | %zu parked "
      "long-polls %.1f MB |\n",
      idle / 1024.0, parked, registered / 1024.0, fds.size(), loaded / 1024.0);
  for (int fd : fds) close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  int jobs = 1000, parked = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--jobs")) jobs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--parked")) parked = std::atoi(argv[i + 1]);
  }
  signal(SIGPIPE, SIG_IGN);
  Latency(jobs);
  Throughput(jobs, 2);
  Throughput(jobs, 8);
  Memory(parked);
  return 0;
}
