#include "agent/agent_command.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "http/beast_client.h"
#include "http/certificate.h"
#include "proc/sandbox.h"

namespace kraken::agent {

void AddAgentOptions(CLI::App& app, AgentCommand& command) {
  AgentOptions& options = command.options;
  app.add_option("--server", options.server_url, "Server URL")->required();
  app.add_option("--data-dir", options.data_dir, "Work directory")->capture_default_str();
  app.add_option("--name", options.name, "Agent name (default: host name)");
  app.add_option("--registration-token", options.registration_token,
                 "One-time token: the agent is authorized at once");
  app.add_flag("--one-job", options.one_job, "Exit after one job");
  app.add_option("--ca-file", command.tls.ca_file,
                 "Trust the server's certificate if signed by a CA of this PEM file");
  app.add_option("--tls-fingerprint", command.tls.fingerprint,
                 "Trust exactly the server certificate with this SHA-256 fingerprint");
  app.add_option("--run-job", command.run_job,
                 "Run the one job of this job file and exit (what a job's container runs)");
  app.add_option("--hide", command.hide,
                 "Run in a sandbox where this folder looks empty and no outside process is "
                 "visible (repeatable; the agent's --data-dir stays visible)");
}

int RunAgentCommand(const AgentCommand& command) {
  AgentOptions options = command.options;
  // First, while the agent is one thread: the sandbox needs it.
  if (!command.hide.empty()) {
    std::error_code ec;
    std::string keep =
        std::filesystem::weakly_canonical(std::filesystem::absolute(options.data_dir), ec);
    auto entered = proc::EnterSandbox({command.hide, keep});
    if (entered) {
      options.sandbox = "namespaces";
    } else {
      options.sandbox = "none: " + entered.error().message;
      spdlog::warn("jobs run without a sandbox, and can see what --hide names: {}",
                   entered.error().message);
    }
  }
  http::TlsTrust trust = command.tls;
  if (!trust.fingerprint.empty()) {
    auto fingerprint = http::NormalizeFingerprint(trust.fingerprint);
    if (!fingerprint) {
      std::cerr << "kraken agent: --tls-fingerprint: " << fingerprint.error().message << "\n";
      return 2;
    }
    trust.fingerprint = *fingerprint;
  }
  options.tls_fingerprint = trust.fingerprint;
  options.ca_file = trust.ca_file;
  http::BeastClient::SetDefaultTlsTrust(std::move(trust));

  Agent agent(std::move(options));
  // SIGINT/SIGTERM are blocked in this thread, and so in every thread started later, and
  // taken by a thread of their own that stops the agent.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set, &agent] {
    int sig = 0;
    sigwait(&set, &sig);
    agent.Stop();
  }).detach();
  auto status = command.run_job.empty() ? agent.Run() : agent.RunJobFile(command.run_job);
  if (!status) {
    spdlog::error("agent stopped: {}", status.error().message);
    return 1;
  }
  return 0;
}

}  // namespace kraken::agent
