// The `kraken agent` program: registers with the server (or reuses its saved identity),
// long-polls for jobs, runs their steps in a workspace with the built-in tools, streams
// logs, reports results, and stops a step within a second of a cancel.
//
// Run() blocks until Stop() (callable from a signal-handling thread) or, with one_job, after
// one job.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "agent/tools/tool.h"
#include "core/error.h"
#include "core/json.h"
#include "proc/runner.h"
#include "protocol/agent_messages.h"

namespace kraken::agent {

struct AgentOptions {
  std::string server_url;  // e.g. http://127.0.0.1:8080
  std::string data_dir = "kraken-agent";
  std::string name;                // default: host name
  std::string registration_token;  // one-time token: authorized at once
  bool one_job = false;            // exit after one job (ephemeral machines)
  std::string sandbox;             // how jobs are contained, for host_info ("" when not asked)
  // For jobs it runs in containers (agent/container_job.h): whether this program is the
  // static kraken-agent (else the server's is downloaded), and how the server is trusted.
  bool self_is_static = false;
  std::string tls_fingerprint;
  std::string ca_file;
};

class Agent {
 public:
  explicit Agent(AgentOptions options);
  Status Run();
  void Stop() { stopping_ = true; }
  // Runs the one job of a job file (agent/container_job.h), as the agent in a job's
  // container does, with the identity the file and kTokenVariable give.
  Status RunJobFile(const std::string& path);

 private:
  Status LoadOrRegister();
  Json HostInfo() const;
  void RunJob(const protocol::JobDispatch& dispatch);
  // A job the dispatch says to run in a container of its own (dispatch.container).
  void RunContainerJob(const protocol::JobDispatch& dispatch);
  // Reports the job's step `index` as failed with `message`, in its log and its end.
  void FailStep(int64_t job_id, int64_t index, const std::string& message);
  std::thread StartWatch(int64_t job_id, tools::CancelHandle& cancel, std::atomic<bool>& job_over);
  tools::StepOutcome RunStep(const protocol::StepDispatch& step, tools::ToolContext& ctx,
                             const std::function<void(std::string_view)>& log);

  AgentOptions options_;
  std::atomic<bool> stopping_{false};
  std::string token_;
  int64_t agent_id_ = 0;
  int64_t poll_wait_ms_ = 25'000;
  std::string progress_file_;  // where RunJob notes the step it is on ("" none)
  proc::RealRunner runner_;
};

}  // namespace kraken::agent
