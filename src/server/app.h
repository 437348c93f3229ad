// The `kraken server` process put together: database, users, execution engine, REST API,
// agent protocol, live events, static web UI and the agent installer, on one event loop.
//
// Start() and Run() on one thread; Stop() from any thread (signal handler thread).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "exec/engine.h"

namespace kraken::http {
class Loop;
}  // namespace kraken::http

namespace kraken::api {
struct ApiContext;
}  // namespace kraken::api

namespace kraken::server {

struct ServerConfig {
  std::string data_dir = "kraken-data";
  std::string db_url;  // default: sqlite:<data_dir>/kraken.db
  std::string address = "127.0.0.1";
  uint16_t port = 8080;
  std::string ui_dir;  // built web UI (index.html + assets); empty: no UI
  // The kraken-agent served at /install/agent; empty: found (server/agent_binary.h).
  std::string agent_binary;
  // Local agents' work dirs, outside the data dir; empty: autoscale::DefaultAgentsDir.
  std::string agents_dir;
  std::string admin_password;  // for the first admin; empty: generated
  exec::EngineOptions engine;
  int64_t autoscale_sweep_ms = 30'000;  // orphan sweep period of the autoscaler
  bool enable_fake_driver = false;      // accept deployment method `fake` (tests)
  // Connections served at once, in all and per client address (http::ServerOptions).
  size_t max_connections = 10'000;
  size_t max_connections_per_address = 256;
  // HTTPS with this certificate (PEM, with its chain) and key. Without them the server
  // speaks plain HTTP, which it refuses on a non-loopback address unless allow_plain_http.
  std::string tls_cert_file;
  std::string tls_key_file;
  bool allow_plain_http = false;
};

class App {
 public:
  explicit App(ServerConfig config);
  ~App();

  Status Start();
  void Run();
  void Stop();

  uint16_t port() const;
  std::string url() const;
  // Where local agents get their work dirs (known once started).
  const std::string& agents_dir() const { return config_.agents_dir; }
  const std::string& data_dir() const { return config_.data_dir; }
  // Set when this start created the first admin with a generated password.
  const std::optional<std::string>& generated_admin_password() const { return admin_password_; }

  http::Loop& loop();
  exec::Engine& engine();
  store::Store& store();
  // Creates a named API token for the admin (used by `kraken up` for the CLI).
  Result<std::string> CreateAdminToken(const std::string& name);
  // The routes the server answers, as (method, pattern); complete once Start() succeeded.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  // "https://" when serving TLS, else "http://".
  std::string Scheme() const;
  // Plain HTTP only on loopback, unless allowed.
  Status CheckTransport() const;
  // The steps of Start(): the data dir and database (returns the database URL); sign-in,
  // the engine and the live hub; the planner, run analysis and the REST API; the drivers,
  // the autoscaler and the agents' routes; listening.
  Result<std::string> OpenStore();
  Status StartEngine();
  void StartServices(api::ApiContext& ctx);
  void StartAutoscaler(api::ApiContext& ctx);
  Status Listen();

  ServerConfig config_;
  std::optional<std::string> admin_password_;
};

}  // namespace kraken::server
