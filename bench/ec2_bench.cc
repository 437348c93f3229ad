// The cold path of EC2 autoscaling, against the real server and `kraken ec2-emulator` with
// boot time zero (instances boot for real: namespace, agent download, registration):
//   queued -> RunInstances issued   (job created -> the emulator's launch time)
//   RunInstances -> job started     (launch time -> the job's start on its new machine)
// and the second split in two: the emulated machine's boot (launch -> its agent registered:
// namespace, agent download and check, start), then the server's share (registered -> job
// started). The emulator boots off its API's event loop; all instances share this host's
// CPUs, so the boot half grows with the load, as it would not on EC2.
// over N jobs of one flow, each on a machine of its own (destroy after 1 job).
// Usage: ec2_bench [--jobs N] [--limit L] [--rootfs DIR]   (run as root for the netns boot;
// with --rootfs, instances boot in that root filesystem, e.g. build/rootfs/debian11)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "bench_process.h"
#include "core/json.h"

using kraken::Json;
using kraken::bench::Endpoint;
using kraken::bench::Launch;
using kraken::bench::Percentile;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  int jobs = 100, limit = 100;
  std::string rootfs;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--jobs")) jobs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--limit")) limit = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rootfs")) rootfs = fs::absolute(argv[i + 1]).string();
  }
  const std::string dir =
      fs::temp_directory_path() / ("kraken-ec2-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  Endpoint emu, srv;
  int emu_port = kraken::bench::FreePort(), srv_port = kraken::bench::FreePort();
  emu.url = "http://127.0.0.1:" + std::to_string(emu_port);
  srv.url = "http://127.0.0.1:" + std::to_string(srv_port);
  std::vector<std::string> emu_argv = {
      KRAKEN_BIN, "ec2-emulator", "--port",          std::to_string(emu_port), "--boot-ms",
      "0",        "--work-dir",   dir + "/instances"};
  if (!rootfs.empty())
    emu_argv.insert(emu_argv.end(),
                    {"--boot-mode", "netns", "--image", "ami-0123456789abcdef0=" + rootfs});
  pid_t emu_pid = Launch(emu_argv, dir + "/emulator.log");
  pid_t srv_pid = Launch({KRAKEN_BIN, "server", "--data-dir", dir + "/server", "--port",
                          std::to_string(srv_port), "--autoscale-sweep-ms", "5000"},
                         dir + "/server.log");
  if (!Endpoint::WaitUp({{&emu, "/_emulator/stats"}, {&srv, "/api/v1/health"}})) {
    std::fprintf(stderr, "the emulator or the server did not start (logs in %s)\n", dir.c_str());
    return 1;
  }
  srv.Login();
  srv.Call("PUT", "/api/v1/settings/cloud/aws",
           {{"access_key", "AKIAKRAKENEMULATOR01"},
            {"secret_access_key", "kraken-emulator-secret-access-key"},
            {"endpoint", emu.url}});
  Json group = srv.Call("POST", "/api/v1/groups",
                        {{"name", "ec2"},
                         {"deployment",
                          {{"method", "aws_ec2"},
                           {"region", "us-east-1"},
                           {"instance_type", "t2.micro"},
                           {"default_ami", "ami-0123456789abcdef0"},
                           {"instances_limit", limit},
                           {"destroy_after_jobs", 1}}}});
  Json p = srv.Call("POST", "/api/v1/projects", {{"name", "bench"}});
  Json b =
      srv.Call("POST", "/api/v1/projects/" + std::to_string(p["id"].get<int64_t>()) + "/branches",
               {{"name", "main"}});
  Json list = Json::array();
  for (int i = 0; i < jobs; ++i)
    list.push_back({{"name", "j" + std::to_string(i)},
                    {"steps", Json::array({{{"tool", "shell"}, {"cmd", "true"}}})},
                    {"environments", Json::array({{{"system", "ami-0123456789abcdef0"},
                                                   {"agents_group", "ec2"}}})}});
  const std::string branch = std::to_string(b["id"].get<int64_t>());
  srv.Call("POST", "/api/v1/branches/" + branch + "/stages",
           {{"name", "cold"}, {"schema", {{"jobs", list}}}});
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
    launched_by_machine[std::stoll(i["tags"]["kraken-machine"].get<std::string>())] =
        i["launched_ms"];
  std::map<int64_t, int64_t> machine_by_agent;
  for (const Json& m :
       srv.Call("GET", "/api/v1/groups/" + std::to_string(group["id"].get<int64_t>()) +
                           "/machines?all=true"))
    if (m["agent_id"].is_number()) machine_by_agent[m["agent_id"]] = m["id"];
  std::map<int64_t, double> registered_by_agent;
  for (const Json& a : srv.Call("GET", "/api/v1/agents"))
    registered_by_agent[a["id"]] = a["created"].get<double>();
  std::vector<double> to_launch, to_start, to_register, register_to_start;
  int ok = 0;
  for (const Json& run : srv.Call("GET", flow_path + "/runs")) {
    for (const Json& job :
         srv.Call("GET", "/api/v1/runs/" + std::to_string(run["id"].get<int64_t>()) + "/jobs")) {
      ok += job["completion_status"] == "ok";
      if (!job["agent_id"].is_number()) continue;
      auto m = machine_by_agent.find(job["agent_id"]);
      if (m == machine_by_agent.end() || !launched_by_machine.count(m->second)) continue;
      double launched = launched_by_machine[m->second];
      to_launch.push_back(launched - job["created"].get<double>());
      to_start.push_back(job["started"].get<double>() - launched);
      if (registered_by_agent.count(job["agent_id"])) {
        double registered = registered_by_agent[job["agent_id"]];
        to_register.push_back(registered - launched);
        register_to_start.push_back(job["started"].get<double>() - registered);
      }
    }
  }
  Json stats = emu.Call("GET", "/_emulator/stats");
  kraken::bench::Stop(srv_pid);
  kraken::bench::Stop(emu_pid);
  fs::remove_all(dir);
  if (to_launch.empty()) {
    std::fprintf(stderr, "no job could be joined to its instance\n");
    return 1;
  }
  std::printf(
      "EC2 cold path, %d jobs (%d ok, %zu joined), instances limit %d, boot 0 ms, wall %.1f s, "
      "max instances active %d\n",
      jobs, ok, to_launch.size(), limit, wall, stats["max_active"].get<int>());
  std::printf("%-34s %8s %8s %8s\n", "phase", "p50 ms", "p99 ms", "max ms");
  std::printf("%-34s %8.0f %8.0f %8.0f\n", "queued -> RunInstances issued",
              Percentile(to_launch, 0.5), Percentile(to_launch, 0.99), Percentile(to_launch, 1.0));
  std::printf("%-34s %8.0f %8.0f %8.0f\n", "RunInstances -> job started", Percentile(to_start, 0.5),
              Percentile(to_start, 0.99), Percentile(to_start, 1.0));
  if (!to_register.empty()) {
    std::printf("%-34s %8.0f %8.0f %8.0f\n", "  RunInstances -> agent registered",
                Percentile(to_register, 0.5), Percentile(to_register, 0.99),
                Percentile(to_register, 1.0));
    std::printf("%-34s %8.0f %8.0f %8.0f\n", "  agent registered -> job started",
                Percentile(register_to_start, 0.5), Percentile(register_to_start, 0.99),
                Percentile(register_to_start, 1.0));
  }
  return ok == jobs ? 0 : 1;
}
