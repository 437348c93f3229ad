// The one `kraken` executable: server, agent, `up`, and the command-line client.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <thread>

#include "agent/agent_command.h"
#include "cli/client_config.h"
#include "cli/ec2_emulator.h"
#include "cli/flow_run.h"
#include "cli/groups_show.h"
#include "cli/results_commands.h"
#include "cli/schema_check.h"
#include "cli/up.h"
#include "http/certificate.h"
#include "http/client.h"
#include "server/app.h"

namespace {

// Blocks SIGINT/SIGTERM in this thread (and so in every thread started later) and calls
// `stop` from a dedicated thread when one arrives.
std::thread StopOnSignal(std::function<void()> stop) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return std::thread([set, stop = std::move(stop)] {
    int sig = 0;
    sigwait(&set, &sig);
    stop();
  });
}

// Every parked agent poll and live log holds a socket: allow as many as the system does.
void RaiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// Makes `trust` the one of every HTTP client of this process; false (said on stderr) when
// the fingerprint is malformed.
bool UseTlsTrust(kraken::http::TlsTrust trust) {
  if (!trust.fingerprint.empty()) {
    auto fingerprint = kraken::http::NormalizeFingerprint(trust.fingerprint);
    if (!fingerprint) {
      std::cerr << "kraken: --tls-fingerprint: " << fingerprint.error().message << "\n";
      return false;
    }
    trust.fingerprint = *fingerprint;
  }
  kraken::http::Client::SetDefaultTlsTrust(std::move(trust));
  return true;
}

std::string DefaultUiDir() {
  namespace fs = std::filesystem;
  fs::path exe = fs::read_symlink("/proc/self/exe").parent_path();
  // Beside an installed binary first, then the source tree this binary was built from.
  for (fs::path candidate :
       {exe / "ui", exe / ".." / "share" / "kraken" / "ui", fs::path(KRAKEN_BUILD_UI_DIR)})
    if (fs::exists(candidate / "index.html")) return fs::weakly_canonical(candidate).string();
  return {};
}

void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// kraken server
struct ServerCommand {
  kraken::server::ServerConfig server;
  int64_t agent_timeout_s = 60, poll_wait_s = 25;
  CLI::App* cmd = nullptr;

  void Add(CLI::App& app) {
    cmd = app.add_subcommand("server", "Run the server");
    cmd->add_option("--data-dir", server.data_dir, "Data directory")->capture_default_str();
    cmd->add_option("--db", server.db_url, "Database: sqlite:PATH or postgresql://...");
    cmd->add_option("--address", server.address, "Listen address")->capture_default_str();
    cmd->add_option("--port", server.port, "Listen port (0: any free port)")->capture_default_str();
    cmd->add_option("--ui-dir", server.ui_dir, "Built web UI folder");
    cmd->add_option("--agents-dir", server.agents_dir,
                    "Local agents' work dirs (default: /var/lib/kraken-agents as root, else "
                    "kraken-agents beside the data dir)");
    cmd->add_option("--agent-timeout", agent_timeout_s,
                    "Seconds of silence before an agent is lost")
        ->capture_default_str();
    cmd->add_option("--poll-wait", poll_wait_s, "Seconds an idle agent's poll may wait")
        ->capture_default_str();
    cmd->add_option("--job-retries", server.engine.job_retries,
                    "Re-queues of a job whose agent was lost")
        ->capture_default_str();
    cmd->add_option("--max-artifact-size", server.engine.max_artifact_bytes,
                    "Largest artifact or cache file, in bytes, an agent may upload")
        ->capture_default_str();
    cmd->add_option("--autoscale-sweep-ms", server.autoscale_sweep_ms,
                    "Milliseconds between sweeps for orphan machines")
        ->capture_default_str();
    cmd->add_flag("--enable-fake-driver", server.enable_fake_driver,
                  "Accept deployment method `fake` (scripted failures, for tests)");
    AddLimitsAndTls();
  }

  void AddLimitsAndTls() {
    cmd->add_option("--max-connections", server.max_connections,
                    "Connections served at once; more are answered 503")
        ->capture_default_str();
    cmd->add_option("--max-connections-per-address", server.max_connections_per_address,
                    "Connections served at once from one client address")
        ->capture_default_str();
    cmd->add_option("--agent-binary", server.agent_binary,
                    "The kraken-agent that new machines download from /install/agent (default: "
                    "the one beside this binary)");
    cmd->add_option("--tls-cert", server.tls_cert_file, "Serve HTTPS with this PEM certificate")
        ->check(CLI::ExistingFile);
    cmd->add_option("--tls-key", server.tls_key_file, "The certificate's PEM private key")
        ->check(CLI::ExistingFile);
    cmd->add_flag("--allow-plain-http", server.allow_plain_http,
                  "Serve plain HTTP on a non-loopback address (behind a TLS proxy)");
  }

  int Run() {
    RaiseFileLimit();
    server.engine.agent_timeout = agent_timeout_s * 1000;
    server.engine.poll_wait = poll_wait_s * 1000;
    if (server.ui_dir.empty()) server.ui_dir = DefaultUiDir();
    if (const char* pw = std::getenv("KRAKEN_ADMIN_PASSWORD")) server.admin_password = pw;
    unsetenv("KRAKEN_ADMIN_PASSWORD");  // not for the agents' jobs
    kraken::server::App srv(server);
    auto waiter = StopOnSignal([&] { srv.Stop(); });
    waiter.detach();
    if (auto st = srv.Start(); !st) {
      std::cerr << "kraken server: " << st.error().message << "\n";
      return 1;
    }
    if (srv.generated_admin_password())
      std::cout << "first admin created: admin / " << *srv.generated_admin_password() << std::endl;
    std::cout << "listening on " << srv.url() << std::endl;
    srv.Run();
    return 0;
  }
};

// kraken up
struct UpCommand {
  kraken::cli::UpOptions up;
  CLI::App* cmd = nullptr;

  void Add(CLI::App& app) {
    cmd = app.add_subcommand("up", "Start a server with local agents and a demo project");
    cmd->add_option("--data-dir", up.data_dir, "Data directory")->capture_default_str();
    cmd->add_option("--address", up.address,
                    "Listen address; beyond loopback it serves HTTPS with a self-signed "
                    "certificate")
        ->capture_default_str();
    cmd->add_option("--port", up.port, "Listen port")->capture_default_str();
    cmd->add_option("--agents", up.agents, "Fixed local agents to start (0: started on demand)")
        ->capture_default_str();
    cmd->add_option("--ui-dir", up.ui_dir, "Built web UI folder");
    cmd->add_option("--agents-dir", up.agents_dir, "Local agents' work dirs (as for server)");
  }

  int Run() {
    RaiseFileLimit();
    if (up.ui_dir.empty()) up.ui_dir = DefaultUiDir();
    BlockStopSignals();
    return kraken::cli::Up(up);
  }
};

// kraken flow run, kraken agents groups show NAME: clients of a running server
struct ClientCommands {
  std::string server_flag, token_flag, client_dir = "kraken-data";
  kraken::http::TlsTrust client_tls;
  kraken::cli::FlowRunOptions flow_run;
  std::vector<std::string> arg_list;
  std::string group_name;
  CLI::App* flow_run_cmd = nullptr;
  CLI::App* groups_show_cmd = nullptr;

  void Add(CLI::App& app) {
    auto* flow = app.add_subcommand("flow", "Flows");
    flow->require_subcommand(1);
    flow_run_cmd = flow->add_subcommand("run", "Start a flow on PROJECT/BRANCH");
    flow_run_cmd->add_option("target", flow_run.target, "PROJECT/BRANCH")->required();
    flow_run_cmd->add_flag("--dev", flow_run.dev, "Start a DEV flow instead of CI");
    flow_run_cmd->add_option("--arg", arg_list, "Flow argument NAME=VALUE (repeatable)");
    flow_run_cmd->add_flag("--follow,-f", flow_run.follow,
                           "Show progress live; exit 0 only if all jobs succeed");
    auto* agents_cmd = app.add_subcommand("agents", "Agents and agents groups");
    agents_cmd->require_subcommand(1);
    auto* groups_cmd = agents_cmd->add_subcommand("groups", "Agents groups");
    groups_cmd->require_subcommand(1);
    groups_show_cmd = groups_cmd->add_subcommand("show", "Show a group's deployment and machines");
    groups_show_cmd->add_option("name", group_name, "Group name")->required();
    for (auto* c : {flow_run_cmd, groups_show_cmd}) {
      c->add_option("--server", server_flag, "Server URL (or KRAKEN_SERVER)");
      c->add_option("--token", token_flag, "API token (or KRAKEN_TOKEN)");
      c->add_option("--data-dir", client_dir, "Where `kraken up` saved cli.json")
          ->capture_default_str();
      c->add_option("--ca-file", client_tls.ca_file,
                    "Trust the server if signed by a CA of this PEM file");
      c->add_option("--tls-fingerprint", client_tls.fingerprint,
                    "Trust exactly the server certificate with this SHA-256 fingerprint");
    }
  }

  bool parsed() const { return flow_run_cmd->parsed() || groups_show_cmd->parsed(); }

  int Run() {
    if (flow_run_cmd->parsed()) {
      for (const auto& kv : arg_list) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) {
          std::cerr << "kraken: --arg wants NAME=VALUE, got '" << kv << "'\n";
          return 2;
        }
        flow_run.args[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
    }
    auto config = kraken::cli::ResolveClientConfig(server_flag, token_flag, client_dir, client_tls);
    if (!config) {
      std::cerr << "kraken: " << config.error().message << "\n";
      return 2;
    }
    if (!UseTlsTrust(config->tls)) return 2;
    if (groups_show_cmd->parsed()) return kraken::cli::GroupsShow(*config, group_name, std::cout);
    return kraken::cli::FlowRun(*config, flow_run);
  }
};

// kraken schema check FILE [--ctx CTX.json]
struct SchemaCommand {
  kraken::cli::SchemaCheckOptions schema_check;
  CLI::App* cmd = nullptr;

  void Add(CLI::App& app) {
    auto* schema_cmd = app.add_subcommand("schema", "Stage schemas");
    schema_cmd->require_subcommand(1);
    cmd = schema_cmd->add_subcommand(
        "check", "Evaluate and validate a stage file; print it as JSON, or its errors");
    cmd->add_option("file", schema_check.file, "Stage file (.star, .json, .yaml)")->required();
    cmd->add_option("--ctx", schema_check.ctx_file, "JSON file with the ctx fields");
    cmd->add_option("--format", schema_check.format, "starlark, json or yaml");
  }

  int Run() { return kraken::cli::SchemaCheck(schema_check, std::cout, std::cerr); }
};

// kraken ec2-emulator
struct EmulatorCommand {
  kraken::cli::Ec2EmulatorOptions emu;
  CLI::App* cmd = nullptr;

  void Add(CLI::App& app) {
    cmd = app.add_subcommand("ec2-emulator", "Run an EC2 API emulator that boots instances");
    cmd->add_option("--address", emu.address, "Listen address")->capture_default_str();
    cmd->add_option("--port", emu.port, "Listen port (0: any free port)")->capture_default_str();
    cmd->add_option("--access-key", emu.emulator.access_key_id, "The access key id it accepts")
        ->capture_default_str();
    cmd->add_option("--secret-key", emu.emulator.secret_access_key, "That key's secret")
        ->capture_default_str();
    cmd->add_option("--region", emu.emulator.regions,
                    "A region it serves (repeatable; default: 16 real ones)");
    cmd->add_option("--boot-mode", emu.boot_mode, "netns, process or auto")->capture_default_str();
    cmd->add_option("--boot-ms", emu.emulator.boot_ms, "Milliseconds an instance stays pending")
        ->capture_default_str();
    cmd->add_option("--shutdown-ms", emu.emulator.shutdown_ms,
                    "Milliseconds from shutting-down to terminated")
        ->capture_default_str();
    cmd->add_option("--work-dir", emu.work_dir,
                    "Where instances keep their files (default: a temp dir)");
    cmd->add_option("--forward-port", emu.forward_ports,
                    "A host loopback port every instance can reach (repeatable)");
    cmd->add_option("--image", emu.images,
                    "AMI=DIR: instances of that AMI boot in the root filesystem DIR (repeatable; "
                    "netns mode)");
    cmd->add_option("--windows-ami", emu.emulator.windows_amis,
                    "An AMI id DescribeImages reports as Windows (repeatable)");
  }

  int Run() {
    BlockStopSignals();
    return kraken::cli::RunEc2Emulator(emu);
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Kraken: a CI/CD server focused on testing, with autoscaled agents"};
  app.require_subcommand(1);
  ServerCommand server;
  server.Add(app);
  kraken::agent::AgentCommand agent;
  auto* agent_cmd = app.add_subcommand("agent", "Run an agent that takes jobs from a server");
  kraken::agent::AddAgentOptions(*agent_cmd, agent);
  UpCommand up;
  up.Add(app);
  ClientCommands client;
  client.Add(app);
  SchemaCommand schema;
  schema.Add(app);
  EmulatorCommand emulator;
  emulator.Add(app);
  kraken::cli::ResultsCommands results_commands(app);  // tool run, tools, results

  CLI11_PARSE(app, argc, argv);
  if (auto code = results_commands.RunIfParsed()) return *code;
  if (server.cmd->parsed()) return server.Run();
  if (agent_cmd->parsed()) return kraken::agent::RunAgentCommand(agent);
  if (up.cmd->parsed()) return up.Run();
  if (schema.cmd->parsed()) return schema.Run();
  if (emulator.cmd->parsed()) return emulator.Run();
  if (client.parsed()) return client.Run();
  return 0;
}
