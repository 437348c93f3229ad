#include "cli/up.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "autoscale/agent_account.h"
#include "autoscale/local_driver.h"
#include "cli/client_config.h"
#include "cli/demo.h"
#include "cli/up_tls.h"
#include "http/certificate.h"
#include "http/server.h"
#include "proc/daemon.h"
#include "server/app.h"

namespace kraken::cli {

namespace fs = std::filesystem;

namespace {

// Fixed local agents (--agents N): each with its own work directory below `dir` and a
// one-time registration token, so it is authorized at once; on later starts it resumes its
// identity. They run as the local driver's agents do (see autoscale/agent_account.h).
// `fingerprint`: the server's self-signed certificate, for the agents to pin (empty: none).
std::vector<pid_t> StartFixedAgents(server::App& app, const std::string& self, const fs::path& dir,
                                    int count, const std::string& fingerprint) {
  std::vector<pid_t> agents;
  if (count <= 0) return agents;
  auto account = autoscale::EnsureAgentAccount();
  if (!account) {
    spdlog::error("cannot start local agents: {}", account.error().message);
    return agents;
  }
  auto binary = autoscale::AgentBinary(*account, self, app.agents_dir());
  if (!binary) {
    spdlog::error("cannot start local agents: {}", binary.error().message);
    return agents;
  }
  for (int i = 1; i <= count; ++i) {
    std::string name = "local-" + std::to_string(i);
    if (auto st = autoscale::MakeAgentWorkDir(*account, app.agents_dir(), dir / name); !st) {
      spdlog::error("cannot start local agent {}: {}", i, st.error().message);
      continue;
    }
    auto token = app.engine().MintRegistrationToken(std::nullopt, 10 * 60 * 1000);
    if (!token) continue;
    proc::SpawnOptions so;
    so.argv = {*binary,   "agent",      "--server",
               app.url(), "--data-dir", (dir / name).string(),
               "--name",  name,         "--registration-token",
               *token};
    if (!fingerprint.empty()) so.argv.insert(so.argv.end(), {"--tls-fingerprint", fingerprint});
    for (std::string& arg : autoscale::SandboxArgv(app.data_dir(), app.agents_dir()))
      so.argv.push_back(std::move(arg));
    so.cwd = (dir / name).string();
    autoscale::RunAs(*account, so);
    auto pid = proc::StartDaemon(so, (dir / (name + ".log")).string());
    if (pid)
      agents.push_back(*pid);
    else
      spdlog::error("cannot start local agent {}: {}", i, pid.error().message);
  }
  return agents;
}

// Saves (or brings up to date) the command line's cli.json: the URL, an admin token and
// the certificate to pin.
void SaveClientConfig(server::App& app, const std::string& data_dir, const http::TlsTrust& trust) {
  std::string url = app.url();
  if (!fs::exists(fs::path(data_dir) / "cli.json")) {
    auto token = app.CreateAdminToken("kraken up command line");
    if (token) (void)WriteClientConfig(data_dir, ClientConfig{url, *token, trust});
  } else {
    auto saved = ResolveClientConfig("", "", data_dir);
    if (saved && (saved->server != url || saved->tls.fingerprint != trust.fingerprint))
      (void)WriteClientConfig(data_dir, ClientConfig{url, saved->token, trust});
  }
}

// By default group `all` is autoscaled with local agents (set once, so a deployment the
// user chose later is kept).
void AutoscaleGroupAllOnce(server::App& app) {
  auto done = app.store().GetSetting("up_autoscale_configured");
  auto all = app.store().FindGroup("all");
  if (!done || *done || !all || !*all) return;
  AgentsGroup g = **all;
  if (g.deployment.value("method", "manual") == "manual") {
    unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    g.deployment = Json{{"method", "local"},
                        {"instances_limit", cpus},
                        {"destroy_after_idle_minutes", 10},
                        {"destroy_after_jobs", 0},
                        {"min_idle", 0}};
    (void)app.store().SaveGroup(g);
    app.engine().NotifyExternalChange("group", g.id);
  }
  (void)app.store().SetSetting("up_autoscale_configured", "1");
}

void PrintWelcome(server::App& app, const UpOptions& options, const server::ServerConfig& config,
                  const http::TlsTrust& trust, size_t agents, const fs::path& agents_dir) {
  std::cout << "\nKraken is up: " << app.url() << "\n";
  if (!trust.fingerprint.empty())
    std::cout << "  TLS: self-signed certificate " << config.tls_cert_file
              << ", SHA-256 fingerprint\n"
              << "       " << http::DisplayFingerprint(trust.fingerprint) << "\n";
  if (app.generated_admin_password())
    std::cout << "  admin login: admin / " << *app.generated_admin_password()
              << "   (shown once; set KRAKEN_ADMIN_PASSWORD to choose it)\n";
  else
    std::cout << "  admin login: admin (password set at first start)\n";
  if (options.agents > 0)
    std::cout << "  local agents: " << agents << " (logs in " << agents_dir.string()
              << "/local-*.log)\n";
  else
    std::cout
        << "  agents: started on demand in group 'all' (see: kraken agents groups show all)\n";
  std::cout << "  try: kraken flow run demo/main --follow\n\n";
  std::cout.flush();
}

// Runs the server until SIGINT/SIGTERM (blocked in every thread, taken here off the event
// loop), then stops the fixed agents and those the autoscaler started for this server.
void RunUntilStopped(server::App& app, const std::string& self, const std::vector<pid_t>& agents) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    app.Stop();
  });
  app.Run();
  for (pid_t pid : agents) (void)proc::KillGroup(pid, std::chrono::seconds(5));
  auto server_id = app.store().GetSetting("server_id");
  auto groups = app.store().ListGroups();
  if (server_id && *server_id && groups) {
    autoscale::LocalDriver local(self, "");
    for (const AgentsGroup& g : *groups)
      if (auto machines = local.List(**server_id, g.id))
        for (const auto& m : *machines) (void)local.Destroy(m.driver_id);
  }
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
}

}  // namespace

int Up(const UpOptions& options) {
  server::ServerConfig config;
  config.data_dir = options.data_dir;
  config.address = options.address;
  config.port = static_cast<uint16_t>(options.port);
  config.ui_dir = options.ui_dir;
  config.agents_dir = options.agents_dir;
  if (const char* pw = std::getenv("KRAKEN_ADMIN_PASSWORD")) config.admin_password = pw;
  unsetenv("KRAKEN_ADMIN_PASSWORD");  // not for the agents' jobs
  // Beyond loopback: HTTPS with a self-signed certificate that our clients pin.
  http::TlsTrust trust;
  if (!http::IsLoopbackAddress(options.address)) {
    auto tls = PrepareUpTls(options.data_dir, options.address);
    if (!tls) {
      std::cerr << "kraken up: " << tls.error().message << "\n";
      return 1;
    }
    config.tls_cert_file = tls->cert_file;
    config.tls_key_file = tls->key_file;
    trust.fingerprint = tls->fingerprint;
  }
  server::App app(config);
  if (auto st = app.Start(); !st) {
    std::cerr << "kraken up: " << st.error().message << "\n";
    return 1;
  }
  if (auto st = CreateDemoProject(app.store()); !st) {
    std::cerr << "kraken up: cannot create the demo project: " << st.error().message << "\n";
    return 1;
  }
  SaveClientConfig(app, options.data_dir, trust);
  if (options.agents == 0) AutoscaleGroupAllOnce(app);
  std::string self = fs::read_symlink("/proc/self/exe").string();
  fs::path agents_dir = fs::path(app.agents_dir()) / **app.store().GetSetting("server_id");
  std::vector<pid_t> agents =
      StartFixedAgents(app, self, agents_dir, options.agents, trust.fingerprint);
  PrintWelcome(app, options, config, trust, agents.size(), agents_dir);
  RunUntilStopped(app, self, agents);
  return 0;
}

}  // namespace kraken::cli
