#include "autoscale/local_driver.h"

#include <fmt/format.h>

#include <filesystem>

#include "autoscale/agent_account.h"
#include "proc/daemon.h"
#include "proc/proc_fs.h"

namespace kraken::autoscale {

namespace fs = std::filesystem;

namespace {

constexpr const char* kEnvServer = "KRAKEN_TAG_SERVER";
constexpr const char* kEnvGroup = "KRAKEN_TAG_GROUP";
constexpr const char* kEnvMachine = "KRAKEN_TAG_MACHINE";

std::string ValueOf(const std::optional<std::string>& entry) {
  if (!entry) return {};
  auto eq = entry->find('=');
  return eq == std::string::npos ? "" : entry->substr(eq + 1);
}

bool IsKrakenAgent(pid_t pid) {
  auto argv = proc::ReadCommandLine(pid);
  return argv.size() >= 2 && argv[0].find("kraken") != std::string::npos && argv[1] == "agent";
}

}  // namespace

std::vector<std::string> AgentArgv(const std::string& binary, const cloud::MachineSpec& spec,
                                   const std::string& data_dir, bool subcommand) {
  std::vector<std::string> argv = {binary};
  if (subcommand) argv.push_back("agent");
  argv.insert(argv.end(), {"--server", spec.server_url, "--data-dir", data_dir, "--name",
                           "m-" + std::to_string(spec.machine_id), "--registration-token",
                           spec.registration_token});
  if (spec.one_job) argv.push_back("--one-job");
  if (!spec.server_fingerprint.empty()) {
    argv.insert(argv.end(), {"--tls-fingerprint", spec.server_fingerprint});
  }
  return argv;
}

cloud::DriverResult<std::string> LocalDriver::Create(const cloud::MachineSpec& spec) {
  auto permanent = [](const Error& e) {
    return tl::unexpected(cloud::DriverError{cloud::FailureClass::kPermanent, e.message, ""});
  };
  auto account = EnsureAgentAccount();
  if (!account) return permanent(account.error());
  fs::path machines = fs::path(dir_) / spec.server_id;
  std::string name = "m-" + std::to_string(spec.machine_id);
  if (auto st = MakeAgentWorkDir(*account, dir_, machines / name); !st)
    return permanent(st.error());
  auto binary = AgentBinary(*account, binary_, dir_);
  if (!binary) return permanent(binary.error());
  proc::SpawnOptions so;
  so.argv = AgentArgv(*binary, spec, (machines / name).string());
  for (std::string& arg : SandboxArgv(data_dir_, dir_)) so.argv.push_back(std::move(arg));
  so.cwd = (machines / name).string();
  RunAs(*account, so);
  so.env[kEnvServer] = spec.server_id;
  so.env[kEnvGroup] = std::to_string(spec.group_id);
  so.env[kEnvMachine] = std::to_string(spec.machine_id);
  // The log lies beside the work dir, in a folder the agents cannot write.
  auto pid = proc::StartDaemon(so, (machines / (name + ".log")).string());
  if (!pid)
    return tl::unexpected(cloud::DriverError{
        cloud::FailureClass::kTransient, "cannot start a local agent: " + pid.error().message, ""});
  auto info = proc::ReadProcessInfo(*pid);
  return fmt::format("{}:{}", *pid, info ? info->start_time : 0);
}

cloud::DriverResult<void> LocalDriver::Destroy(const std::string& driver_id) {
  pid_t pid = 0;
  unsigned long long start = 0;
  if (std::sscanf(driver_id.c_str(), "%d:%llu", &pid, &start) < 1 || pid <= 1)
    return tl::unexpected(cloud::DriverError{cloud::FailureClass::kPermanent,
                                             "bad local machine id " + driver_id, ""});
  auto info = proc::ReadProcessInfo(pid);
  // Gone, or the pid now names another process: nothing of ours to stop.
  if (!info || info->HasEnded() || (start && info->start_time != start) || !IsKrakenAgent(pid))
    return {};
  auto killed = proc::KillGroup(pid, std::chrono::seconds(5));
  if (!killed)
    return tl::unexpected(
        cloud::DriverError{cloud::FailureClass::kTransient, killed.error().message, ""});
  return {};
}

cloud::DriverResult<std::vector<cloud::DriverMachine>> LocalDriver::List(
    const std::string& server_id, Id group_id) {
  std::vector<cloud::DriverMachine> out;
  for (const proc::ProcessInfo& p : proc::ListProcesses()) {
    // The daemon leads its own process group; its step children carry the tags too.
    if (p.pid != p.group_id || p.HasEnded()) continue;
    if (ValueOf(proc::ReadEnvironEntry(p.pid, kEnvServer)) != server_id) continue;
    if (ValueOf(proc::ReadEnvironEntry(p.pid, kEnvGroup)) != std::to_string(group_id)) continue;
    if (!IsKrakenAgent(p.pid)) continue;
    cloud::DriverMachine m;
    m.driver_id = fmt::format("{}:{}", p.pid, p.start_time);
    m.tags = {{cloud::kTagServer, server_id},
              {cloud::kTagGroup, std::to_string(group_id)},
              {cloud::kTagMachine, ValueOf(proc::ReadEnvironEntry(p.pid, kEnvMachine))}};
    m.state = "running";
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace kraken::autoscale
