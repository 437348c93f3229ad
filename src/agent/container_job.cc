#include "agent/container_job.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cloud/docker/docker_client.h"
#include "http/beast_client.h"

namespace kraken::agent {

namespace fs = std::filesystem;

namespace {

constexpr char kAgentInContainer[] = "/usr/local/bin/kraken-agent";
constexpr char kCaInContainer[] = "/kraken-ca.pem";

docker::ContainerSpec SpecFor(const ContainerJob& setup, const protocol::JobDispatch& dispatch) {
  docker::ContainerSpec spec;
  spec.image = dispatch.container;
  spec.entrypoint = {kAgentInContainer};
  spec.cmd = {"--server",        setup.server_url, "--data-dir",
              "/tmp/kraken-job", "--run-job",      kJobFileInContainer};
  if (!setup.tls_fingerprint.empty())
    spec.cmd.insert(spec.cmd.end(), {"--tls-fingerprint", setup.tls_fingerprint});
  spec.binds = {{setup.agent_binary, kAgentInContainer, true}, {setup.job_dir, "/kraken", false}};
  if (!setup.ca_file.empty()) {
    spec.cmd.insert(spec.cmd.end(), {"--ca-file", kCaInContainer});
    spec.binds.push_back({fs::absolute(setup.ca_file).string(), kCaInContainer, true});
  }
  spec.env = {{kTokenVariable, setup.token}};  // not in the job file, which others may read
  spec.network_mode = "host";                  // the server's URL means the same inside
  spec.labels = {{"kraken-job", std::to_string(dispatch.job_id)},
                 {"kraken-agent", std::to_string(setup.agent_id)}};
  return spec;
}

Status WriteJobFile(const ContainerJob& setup, const protocol::JobDispatch& dispatch) {
  std::error_code ec;
  fs::remove_all(setup.job_dir, ec);
  fs::create_directories(setup.job_dir, ec);
  if (ec) return Fail(ErrorCode::kInternal, "cannot create " + setup.job_dir + ": " + ec.message());
  // Readable by whichever user the image runs as.
  ::chmod(setup.job_dir.c_str(), 0755);
  Json job = {{"agent_id", setup.agent_id}, {"dispatch", protocol::ToJson(dispatch)}};
  std::ofstream(fs::path(setup.job_dir) / "job.json") << job.dump();
  ::chmod((fs::path(setup.job_dir) / "job.json").c_str(), 0644);
  return {};
}

// The last lines the container wrote, for a message.
std::string Tail(docker::DockerClient& client, const std::string& id) {
  auto logs = client.ContainerLogs(id, 5);
  if (!logs) return {};
  std::string text = logs->out + logs->err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "" : ": " + text;
}

// Waits for the container's end; its exit code, or why it was stopped first.
Result<int> AwaitExit(docker::DockerClient& client, const std::string& id,
                      std::chrono::steady_clock::time_point deadline,
                      const std::atomic<bool>& stopping) {
  while (true) {
    if (stopping) return Fail(ErrorCode::kUnavailable, "the agent is stopping");
    if (std::chrono::steady_clock::now() > deadline)
      return Fail(ErrorCode::kUnavailable, "the job's container outlived the job's timeout");
    // The engine answers when the container ends; the call returns every few seconds to
    // look at `stopping` and the deadline.
    auto code = client.WaitContainer(id, std::chrono::seconds(3));
    if (code) return *code;
    if (code.error().code != ErrorCode::kUnavailable) return tl::unexpected(code.error());
  }
}

}  // namespace

std::string LocalEngineAddress() {
  if (const char* host = std::getenv("DOCKER_HOST"); host && *host) return host;
  for (const char* socket : {"/var/run/docker.sock", "/run/podman/podman.sock"})
    if (access(socket, W_OK) == 0) return std::string("unix://") + socket;
  return {};
}

bool LocalEngineUsable() {
  std::string address = LocalEngineAddress();
  if (address.empty()) return false;
  docker::EngineOptions options;
  options.connect_timeout = std::chrono::seconds(2);
  options.request_timeout = std::chrono::seconds(2);
  auto client = docker::DockerClient::Connect(address, options);
  return client && client->Ping();
}

int64_t StepInProgress(const std::string& job_dir) {
  std::ifstream in(fs::path(job_dir) / "step");
  int64_t index = -1;
  if (!(in >> index)) return -1;
  return index;
}

std::string RunJobInContainer(const ContainerJob& setup, const protocol::JobDispatch& dispatch,
                              const std::atomic<bool>& stopping) {
  auto client = docker::DockerClient::Connect(setup.engine);
  if (!client) return "cannot reach the container engine: " + client.error().message;
  if (auto st = WriteJobFile(setup, dispatch); !st) return st.error().message;
  auto id = client->CreateContainer(SpecFor(setup, dispatch));
  if (!id) {
    if (id.error().code == ErrorCode::kNotFound)
      return "image " + dispatch.container + " is not on this machine's container engine (" +
             setup.engine + "; images are not pulled: pull or build it there first)";
    return "cannot make the job's container of " + dispatch.container + ": " + id.error().message;
  }
  spdlog::info("job {} runs in container {} of {}", dispatch.job_id, id->substr(0, 12),
               dispatch.container);
  std::string failure;
  if (auto started = client->StartContainer(*id); !started) {
    failure = "cannot start the job's container of " + dispatch.container + ": " +
              started.error().message;
  } else {
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::seconds(dispatch.timeout_seconds) + std::chrono::minutes(1);
    auto code = AwaitExit(*client, *id, deadline, stopping);
    if (!code) {
      (void)client->StopContainer(*id, std::chrono::seconds(10));
      failure = code.error().message;
    } else if (*code != 0) {
      failure = "the job's container of " + dispatch.container + " ended with exit code " +
                std::to_string(*code) + Tail(*client, *id);
    }
  }
  if (auto removed = client->RemoveContainer(*id, true); !removed)
    spdlog::warn("cannot remove the job's container {}: {}", *id, removed.error().message);
  return failure;
}

Result<std::string> StaticAgentBinary(bool self_is_static, const std::string& server_url,
                                      const std::string& data_dir) {
  if (self_is_static) return fs::read_symlink("/proc/self/exe").string();
  fs::path path = fs::absolute(fs::path(data_dir) / "kraken-agent");
  http::BeastClient client;
  auto answer =
      client.Request("GET", server_url + "/install/agent", {}, {}, std::chrono::minutes(2));
  if (!answer) return tl::unexpected(answer.error());
  if (answer->status != 200)
    return Fail(ErrorCode::kUnavailable,
                "the server has no kraken-agent to put in containers "
                "(GET /install/agent answered " +
                    std::to_string(answer->status) + ")");
  fs::path partial = path.string() + ".new";
  std::ofstream(partial, std::ios::binary) << answer->body;
  std::error_code ec;
  fs::permissions(partial, fs::perms(0755), ec);
  if (!ec) fs::rename(partial, path, ec);
  if (ec) return Fail(ErrorCode::kInternal, "cannot save " + path.string() + ": " + ec.message());
  return path.string();
}

}  // namespace kraken::agent
