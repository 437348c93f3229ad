// The cold path of EC2 autoscaling, against the real server and `kraken ec2-emulator` with
// boot time zero (instances boot for real: namespace, agent download, registration):
//   queued -> RunInstances issued   (job created -> the emulator's launch time)
//   RunInstances -> job started     (launch time -> the job's start on its new machine)
// over N jobs of one flow, each on a machine of its own (destroy after 1 job).
// Usage: ec2_bench [--jobs N] [--limit L]   (run as root for the netns boot)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "http/client.h"

using kraken::Json;
namespace fs = std::filesystem;

namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

pid_t Launch(std::vector<std::string> argv, const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
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
  return pid;
}

struct Endpoint {
  std::string url, token;
  kraken::http::Client client;
  Json Call(const std::string& method, const std::string& path, const Json& body = nullptr) {
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
  bool Up(const std::string& path) {
    auto r = client.Request("GET", url + path);
    return r && r->status == 200;
  }
};

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  int jobs = 100, limit = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--jobs")) jobs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--limit")) limit = std::atoi(argv[i + 1]);
  }
  const std::string dir = fs::temp_directory_path() / ("kraken-ec2-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  Endpoint emu, srv;
  int emu_port = FreePort(), srv_port = FreePort();
  emu.url = "http://127.0.0.1:" + std::to_string(emu_port);
  srv.url = "http://127.0.0.1:" + std::to_string(srv_port);
  pid_t emu_pid = Launch({KRAKEN_BIN, "ec2-emulator", "--port", std::to_string(emu_port), "--boot-ms",
                          "0", "--work-dir", dir + "/instances"},
                         dir + "/emulator.log");
  pid_t srv_pid = Launch({KRAKEN_BIN, "server", "--data-dir", dir + "/server", "--port",
                          std::to_string(srv_port), "--autoscale-sweep-ms", "5000"},
                         dir + "/server.log");
  for (int i = 0; i < 500 && !(emu.Up("/_emulator/stats") && srv.Up("/api/v1/health")); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  srv.token = srv.Call("POST", "/api/v1/auth/login", {{"user", "admin"}, {"password", "bench"}})["token"];
  srv.Call("PUT", "/api/v1/settings/cloud/aws",
           {{"access_key", "AKIAKRAKENEMULATOR01"}, {"secret_access_key", "kraken-emulator-secret-access-key"},
            {"endpoint", emu.url}});
  Json group = srv.Call("POST", "/api/v1/groups",
                        {{"name", "ec2"},
                         {"deployment", {{"method", "aws_ec2"}, {"region", "us-east-1"},
                                         {"instance_type", "t2.micro"}, {"default_ami", "ami-0123456789abcdef0"},
                                         {"instances_limit", limit}, {"destroy_after_jobs", 1}}}});
  Json p = srv.Call("POST", "/api/v1/projects", {{"name", "bench"}});
  Json b = srv.Call("POST", "/api/v1/projects/" + std::to_string(p["id"].get<int64_t>()) + "/branches",
                    {{"name", "main"}});
  Json list = Json::array();
  for (int i = 0; i < jobs; ++i)
    list.push_back({{"name", "j" + std::to_string(i)},
                    {"steps", Json::array({{{"tool", "shell"}, {"cmd", "true"}}})},
                    {"environments", Json::array({{{"system", "ami-0123456789abcdef0"}, {"agents_group", "ec2"}}})}});
  const std::string branch = std::to_string(b["id"].get<int64_t>());
  srv.Call("POST", "/api/v1/branches/" + branch + "/stages", {{"name", "cold"}, {"schema", {{"jobs", list}}}});
  auto t0 = std::chrono::steady_clock::now();
  Json flow = srv.Call("POST", "/api/v1/branches/" + branch + "/flows", {{"kind", "ci"}});
  const std::string flow_path = "/api/v1/flows/" + std::to_string(flow["id"].get<int64_t>());
  while (srv.Call("GET", flow_path)["state"] != "completed") {
    if (std::chrono::steady_clock::now() - t0 > std::chrono::minutes(10)) {
      std::fprintf(stderr, "the flow did not complete in 10 minutes\n");
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Join the three views: instance (launch time, machine tag) -> machine (agent) -> job.
  std::map<int64_t, double> launched_by_machine;
  for (const Json& i : emu.Call("GET", "/_emulator/instances"))
    launched_by_machine[std::stoll(i["tags"]["kraken-machine"].get<std::string>())] = i["launched_ms"];
  std::map<int64_t, int64_t> machine_by_agent;
  for (const Json& m : srv.Call("GET", "/api/v1/groups/" + std::to_string(group["id"].get<int64_t>()) + "/machines?all=true"))
    if (m["agent_id"].is_number()) machine_by_agent[m["agent_id"]] = m["id"];
  std::vector<double> to_launch, to_start;
  int ok = 0;
  for (const Json& run : srv.Call("GET", flow_path + "/runs")) {
    for (const Json& job : srv.Call("GET", "/api/v1/runs/" + std::to_string(run["id"].get<int64_t>()) + "/jobs")) {
      ok += job["completion_status"] == "ok";
      if (!job["agent_id"].is_number()) continue;
      auto m = machine_by_agent.find(job["agent_id"]);
      if (m == machine_by_agent.end() || !launched_by_machine.count(m->second)) continue;
      double launched = launched_by_machine[m->second];
      to_launch.push_back(launched - job["created"].get<double>());
      to_start.push_back(job["started"].get<double>() - launched);
    }
  }
  Json stats = emu.Call("GET", "/_emulator/stats");
  kill(srv_pid, SIGTERM);
  waitpid(srv_pid, nullptr, 0);
  kill(emu_pid, SIGTERM);
  waitpid(emu_pid, nullptr, 0);
  fs::remove_all(dir);
  if (to_launch.empty()) {
    std::fprintf(stderr, "no job could be joined to its instance\n");
    return 1;
  }
  std::printf("EC2 cold path, %d jobs (%d ok, %zu joined), instances limit %d, boot 0 ms, wall %.1f s, "
              "max instances active %d\n",
              jobs, ok, to_launch.size(), limit, wall, stats["max_active"].get<int>());
  std::printf("%-34s %8s %8s %8s\n", "phase", "p50 ms", "p99 ms", "max ms");
  std::printf("%-34s %8.0f %8.0f %8.0f\n", "queued -> RunInstances issued", Percentile(to_launch, 0.5),
              Percentile(to_launch, 0.99), Percentile(to_launch, 1.0));
  std::printf("%-34s %8.0f %8.0f %8.0f\n", "RunInstances -> job started", Percentile(to_start, 0.5),
              Percentile(to_start, 0.99), Percentile(to_start, 1.0));
  return ok == jobs ? 0 : 1;
}
