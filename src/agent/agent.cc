#include "agent/agent.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "agent/background_steps.h"
#include "agent/container_job.h"
#include "agent/host_info.h"
#include "agent/job_services.h"
#include "agent/log_shipper.h"
#include "agent/protocol_client.h"
#include "agent/result_shipper.h"
#include "agent/secret_masker.h"
#include "agent/tools/tool.h"
#include "proc/reaper.h"

namespace kraken::agent {

using protocol::Identity;
using protocol::JobDispatch;
using protocol::StepDispatch;

namespace fs = std::filesystem;

Agent::Agent(AgentOptions options) : options_(std::move(options)) {
  if (options_.name.empty()) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    options_.name = host;
  }
  while (!options_.server_url.empty() && options_.server_url.back() == '/')
    options_.server_url.pop_back();
}

namespace {

Status WriteIdentity(const fs::path& path, const std::string& text) {
  fs::path tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  bool ok = fd >= 0 && ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  std::error_code ec;
  if (ok) fs::rename(tmp, path, ec);
  if (!ok || ec)
    return Fail(ErrorCode::kInternal, "cannot save the agent's identity in " + path.string());
  return {};
}

// Tells the server that step `index` ended; the answer is the job's next step, or none.
Result<JobDispatch> ReportStepEnd(ProtocolClient& client, int64_t job_id, int64_t index,
                                  const tools::StepOutcome& outcome) {
  protocol::StepReport report{outcome.ok, std::nullopt, outcome.reason, outcome.message};
  if (outcome.retcode >= 0) report.retcode = outcome.retcode;
  KR_ASSIGN(Json answer, client.Post("/agent/v1/jobs/" + std::to_string(job_id) + "/steps/" +
                                         std::to_string(index) + "/finish",
                                     protocol::ToJson(report)));
  return protocol::ParseDispatch(answer);
}

}  // namespace

Json Agent::HostInfo() const {
  Json info = CollectHostInfo();
  if (!options_.sandbox.empty()) info["sandbox"] = options_.sandbox;
  return info;
}

Status Agent::LoadOrRegister() {
  fs::create_directories(options_.data_dir);
  fs::path identity = fs::path(options_.data_dir) / "identity.json";
  ProtocolClient client(options_.server_url, stopping_);
  if (fs::exists(identity)) {
    // Saved by an older version, readable by all: the token's owner alone may read it.
    std::error_code ec;
    fs::permissions(identity, fs::perms::owner_read | fs::perms::owner_write, ec);
    Json saved = Json::parse(std::ifstream(identity), nullptr, false);
    if (!saved.is_discarded() && saved.contains("token")) {
      client.set_token(saved["token"]);
      auto hello = client.Post("/agent/v1/hello", Json{{"host_info", HostInfo()}});
      if (hello) {
        KR_ASSIGN(Identity id, protocol::ParseHelloAnswer(*hello));
        token_ = saved["token"];
        agent_id_ = id.agent_id;
        poll_wait_ms_ = id.poll_wait_ms.value_or(poll_wait_ms_);
        spdlog::info("agent {} resumed its identity", agent_id_);
        return {};
      }
      if (hello.error().code != ErrorCode::kUnauthorized) return tl::unexpected(hello.error());
      spdlog::warn("saved identity was refused ({}); registering again", hello.error().message);
      client.set_token("");
    }
  }
  Json body = {{"name", options_.name}, {"host_info", HostInfo()}};
  if (!options_.registration_token.empty())
    body["registration_token"] = options_.registration_token;
  auto reg = client.Post("/agent/v1/register", body);
  if (!reg) return tl::unexpected(reg.error());
  KR_ASSIGN(Identity id, protocol::ParseRegisterAnswer(*reg));
  token_ = id.token;
  agent_id_ = id.agent_id;
  poll_wait_ms_ = id.poll_wait_ms.value_or(poll_wait_ms_);
  // Written before use, atomically, so a crash never leaves a half identity behind; the
  // token is a credential, for the agent's user alone.
  KR_TRY(WriteIdentity(identity, Json{{"token", token_}, {"agent_id", agent_id_}}.dump()));
  spdlog::info("registered as agent {} ({})", agent_id_,
               id.authorized ? "authorized" : "waiting for authorization");
  return {};
}

Status Agent::Run() {
  // Steps that daemonise (setsid, double fork) are re-parented to the agent, so it can
  // find and stop them when the step ends.
  (void)proc::EnableChildSubreaper();
  KR_TRY(LoadOrRegister());
  ProtocolClient client(options_.server_url, stopping_);
  client.set_token(token_);
  client.AbortOnStop();
  while (!stopping_) {
    auto res = client.Post("/agent/v1/poll?wait=" + std::to_string(poll_wait_ms_), Json::object(),
                           std::chrono::milliseconds(poll_wait_ms_ + 15'000));
    if (!res) {
      if (stopping_) break;
      if (res.error().code == ErrorCode::kUnauthorized)
        return Fail(ErrorCode::kUnauthorized,
                    "the server no longer knows this agent: " + res.error().message);
      spdlog::warn("poll failed: {}", res.error().message);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    auto dispatch = protocol::ParsePollAnswer(*res);
    if (!dispatch) {
      spdlog::warn("poll answer ignored: {}", dispatch.error().message);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    if (*dispatch) {
      if ((**dispatch).container.empty())
        RunJob(**dispatch);
      else
        RunContainerJob(**dispatch);
      if (options_.one_job) break;
    }
  }
  return {};
}

// The watch long-poll, which doubles as the heartbeat while the job runs: cancels the job
// when the server ends it (cancel, timeout) or it is no longer this agent's.
std::thread Agent::StartWatch(int64_t job_id, tools::CancelHandle& cancel,
                              std::atomic<bool>& job_over) {
  return std::thread([this, job_id, &cancel, &job_over] {
    ProtocolClient watch(options_.server_url, stopping_);
    watch.set_token(token_);
    watch.AbortOnStop();
    while (!job_over && !stopping_) {
      auto r = watch.Post("/agent/v1/jobs/" + std::to_string(job_id) +
                              "/watch?wait=" + std::to_string(poll_wait_ms_),
                          Json::object(), std::chrono::milliseconds(poll_wait_ms_ + 15'000),
                          std::chrono::seconds(2));
      if (job_over) break;
      auto stop = r ? protocol::ParseWatchAnswer(*r) : Result<bool>(false);
      if (stop && *stop) {
        spdlog::info("job {} cancelled by the server", job_id);
        cancel.Cancel();
        break;
      }
      if (!r && r.error().code != ErrorCode::kUnavailable) {
        cancel.Cancel();  // the job is no longer ours
        break;
      }
    }
  });
}

// Runs the step's tool. `attempts` and `sleep_time_after_attempt`: the agent reruns a failing
// step itself, in the same workspace, so a retry costs no round trip and keeps the step's
// log together.
tools::StepOutcome Agent::RunStep(const StepDispatch& step, tools::ToolContext& ctx,
                                  const std::function<void(std::string_view)>& log) {
  const tools::ToolSpec* spec = tools::FindTool(step.tool);
  if (ctx.cancel->cancelled()) {
    tools::StepOutcome outcome;
    outcome.reason = "cancelled";
    return outcome;
  }
  if (!spec)
    return tools::StepOutcome::Error("tool '" + step.tool + "' is not supported by this agent");
  for (int64_t attempt = 1;; ++attempt) {
    tools::StepOutcome outcome = spec->run(step.fields, ctx);
    if (outcome.ok || attempt >= step.attempts || ctx.cancel->cancelled() ||
        outcome.reason == "job-timeout")
      return outcome;
    log("kraken: attempt " + std::to_string(attempt) + " of " + std::to_string(step.attempts) +
        " failed; retrying\n");
    auto until = std::chrono::steady_clock::now() + step.retry_pause;
    while (std::chrono::steady_clock::now() < until && !ctx.cancel->cancelled())
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void Agent::RunJob(const JobDispatch& first) {
  const int64_t job_id = first.job_id;
  spdlog::info("job {} '{}' started", job_id, first.job_name);
  fs::path workspace = fs::path(options_.data_dir) / "jobs" / std::to_string(job_id);
  std::error_code ec;
  fs::remove_all(workspace, ec);
  fs::create_directories(workspace, ec);
  workspace = fs::absolute(workspace);

  tools::CancelHandle cancel;
  std::atomic<bool> job_over{false};
  std::thread watcher = StartWatch(job_id, cancel, job_over);

  LogShipper shipper(options_.server_url, token_, job_id, stopping_);
  ResultShipper results(options_.server_url, token_, job_id, stopping_);
  AgentJobServices services(options_.server_url, token_, job_id, stopping_);
  ProtocolClient client(options_.server_url, stopping_);
  client.set_token(token_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(first.timeout_seconds);
  // Background steps log into whichever step runs at the time; they end with the job.
  BackgroundSteps background(runner_,
                             [&shipper](std::string_view bytes) { shipper.Append(bytes); });
  JobDispatch d = first;
  while (d.step && !stopping_) {
    const StepDispatch step = *d.step;
    const int64_t idx = step.index;
    if (!progress_file_.empty()) std::ofstream(progress_file_) << idx << "\n";
    background.SetStep(idx, step.secrets);
    // The secret values the step's fields hold never reach the log in clear.
    SecretMasker masker(step.secrets);
    std::mutex masker_mu;
    auto log = [&](std::string_view bytes) {
      std::lock_guard lock(masker_mu);
      shipper.Append(masker.Push(bytes));
    };
    shipper.BeginStep(idx);
    results.BeginStep(idx);
    tools::ToolContext ctx;
    ctx.workspace = workspace.string();
    ctx.env = d.env;
    ctx.job_deadline = deadline;
    ctx.output = log;
    ctx.cancel = &cancel;
    ctx.runner = &runner_;
    ctx.reporter = &results;
    ctx.services = &services;
    ctx.cache_dir = fs::absolute(fs::path(options_.data_dir) / "cache").string();
    ctx.background = &background;
    ctx.secrets = step.secrets;
    tools::StepOutcome outcome = RunStep(step, ctx, log);
    outcome.message = masker.Mask(outcome.message);
    if (!outcome.ok && outcome.reason == "agent-error" && !outcome.message.empty())
      log("kraken: " + outcome.message + "\n");
    {
      std::lock_guard lock(masker_mu);
      shipper.Append(masker.Finish());
    }
    // Results go before the step's end, so the server has them all when it hears of it.
    if (!results.Flush()) {
      if (outcome.ok) outcome = tools::StepOutcome::Error("results refused: " + results.error());
      shipper.Append("kraken: the server refused the step's results: " + results.error() + "\n");
    }
    if (!shipper.Flush()) break;  // the server took the job away
    auto parsed = ReportStepEnd(client, job_id, idx, outcome);
    if (!parsed) {
      spdlog::warn("job {}: {}", job_id, parsed.error().message);
      break;
    }
    d = std::move(*parsed);
  }
  background.StopAll();
  job_over = true;
  watcher.join();
  fs::remove_all(workspace, ec);
  spdlog::info("job {} finished", job_id);
}

void Agent::RunContainerJob(const JobDispatch& dispatch) {
  const int64_t first_step = dispatch.step ? dispatch.step->index : -1;
  spdlog::info("job {} '{}' started, to run in a container of {}", dispatch.job_id,
               dispatch.job_name, dispatch.container);
  ContainerJob setup;
  setup.engine = LocalEngineAddress();
  setup.server_url = options_.server_url;
  setup.token = token_;
  setup.agent_id = agent_id_;
  setup.job_dir =
      fs::absolute(fs::path(options_.data_dir) / "containers" / std::to_string(dispatch.job_id))
          .string();
  setup.tls_fingerprint = options_.tls_fingerprint;
  setup.ca_file = options_.ca_file;
  std::string failure;
  if (setup.engine.empty()) {
    failure =
        "this agent has no container engine (no DOCKER_HOST, /var/run/docker.sock or "
        "/run/podman/podman.sock) for a job of executor docker";
  } else if (auto binary =
                 StaticAgentBinary(options_.self_is_static, options_.server_url, options_.data_dir);
             !binary) {
    failure = "no kraken-agent to run in the job's container: " + binary.error().message;
  } else {
    setup.agent_binary = *binary;
    failure = RunJobInContainer(setup, dispatch, stopping_);
  }
  if (!failure.empty() && first_step >= 0) {
    int64_t step = StepInProgress(setup.job_dir);
    FailStep(dispatch.job_id, step >= 0 ? step : first_step, failure);
  }
  std::error_code ec;
  fs::remove_all(setup.job_dir, ec);
  spdlog::info("job {} finished{}", dispatch.job_id, failure.empty() ? "" : ": " + failure);
}

void Agent::FailStep(int64_t job_id, int64_t index, const std::string& message) {
  LogShipper shipper(options_.server_url, token_, job_id, stopping_);
  shipper.BeginStep(index);
  shipper.Append("kraken: " + message + "\n");
  (void)shipper.Flush();
  ProtocolClient client(options_.server_url, stopping_);
  client.set_token(token_);
  auto answer = ReportStepEnd(client, job_id, index, tools::StepOutcome::Error(message));
  if (!answer)
    spdlog::warn("job {}: cannot report its failure: {}", job_id, answer.error().message);
}

Status Agent::RunJobFile(const std::string& path) {
  Json file = Json::parse(std::ifstream(path), nullptr, false);
  if (file.is_discarded() || !file.is_object())
    return Fail(ErrorCode::kInvalid, path + " is not a job file");
  const char* token = std::getenv(kTokenVariable);
  if (!token || !*token)
    return Fail(ErrorCode::kInvalid, std::string(kTokenVariable) + " is not set");
  token_ = token;
  unsetenv(kTokenVariable);  // not for the job's steps
  agent_id_ = file.value("agent_id", int64_t{0});
  KR_ASSIGN(JobDispatch dispatch, protocol::ParseDispatch(file.value("dispatch", Json::object())));
  (void)proc::EnableChildSubreaper();
  std::error_code ec;
  fs::create_directories(options_.data_dir, ec);
  progress_file_ = (fs::path(path).parent_path() / "step").string();
  RunJob(dispatch);
  return {};
}

}  // namespace kraken::agent
