#include "server/app.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <optional>

#include "api/api.h"
#include "api/hub.h"
#include "api/json_io.h"
#include "api/results_api.h"
#include "artifacts/retention.h"
#include "auth/auth.h"
#include "auth/crypto.h"
#include "autoscale/agent_account.h"
#include "autoscale/autoscaler.h"
#include "http/certificate.h"
#include "http/router.h"
#include "http/server.h"
#include "planner/planner.h"
#include "resultdb/run_processor.h"
#include "server/autoscale_routes.h"
#include "server/aws_ec2_setup.h"
#include "server/data_dir.h"
#include "server/static_files.h"
#include "settings/secret_box.h"
#include "store/store.h"

namespace kraken::server {

namespace {

// Hands the engine's run changes to the run processor (resultdb), which analyses each run
// once it completes.
class RunListener : public exec::Listener {
 public:
  explicit RunListener(resultdb::RunProcessor& runs) : runs_(runs) {}
  void Changed(const std::string& kind, Id id) override {
    if (kind == "run") runs_.RunChanged(id);
  }

 private:
  resultdb::RunProcessor& runs_;
};

// The planner's timers on the server's loop.
class LoopTimers : public planner::Timers {
 public:
  explicit LoopTimers(http::Loop& loop) : loop_(loop) {}
  std::unique_ptr<Handle> After(Millis delay, std::function<void()> fn) override {
    struct LoopHandle : Handle {
      std::unique_ptr<http::Loop::Timer> timer;
    };
    auto handle = std::make_unique<LoopHandle>();
    handle->timer = loop_.After(std::chrono::milliseconds(delay), std::move(fn));
    return handle;
  }

 private:
  http::Loop& loop_;
};

}  // namespace

struct App::Impl {
  http::Loop loop;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<auth::Auth> auth;
  std::unique_ptr<exec::Engine> engine;
  std::optional<settings::SecretBox> secret_box;  // seals project secrets
  std::unique_ptr<api::Hub> hub;
  std::unique_ptr<planner::Timers> planner_timers;
  std::unique_ptr<planner::GitRepoLister> repo_lister;
  std::unique_ptr<planner::Planner> planner;
  std::unique_ptr<autoscale::Drivers> drivers;
  std::unique_ptr<autoscale::Autoscaler> autoscaler;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<http::Loop::Timer> watchdog, heartbeat, retention;
  std::unique_ptr<resultdb::RunProcessor> runs;
  std::unique_ptr<exec::Listener> run_listener;
  std::string blob_dir;

  void ScheduleWatchdog() {
    watchdog = loop.After(std::chrono::milliseconds(1000), [this] {
      engine->WatchdogPass();
      ScheduleWatchdog();
    });
  }
  // Deletes the logs and artifacts that branch retention policies no longer keep.
  void RetentionPass() {
    artifacts::FileBlobStore blobs(blob_dir);
    artifacts::ArtifactStore as(store->db(), blobs);
    auto counts = artifacts::EnforceRetention(store->db(), as, RealClock::Instance().Now());
    if (!counts) {
      spdlog::error("retention cleanup failed: {}", counts.error().message);
      return;
    }
    if (counts->log_jobs || counts->artifacts || counts->caches)
      spdlog::info("retention: deleted {} log chunks, {} artifacts, {} cache entries",
                   counts->log_jobs, counts->artifacts, counts->caches);
  }
  void ScheduleRetention() {
    retention = loop.After(std::chrono::hours(1), [this] {
      RetentionPass();
      ScheduleRetention();
    });
  }
  void ScheduleHeartbeat() {
    heartbeat = loop.After(std::chrono::seconds(15), [this] {
      hub->Heartbeat();
      ScheduleHeartbeat();
    });
  }
};

App::App(ServerConfig config) : impl_(std::make_unique<Impl>()), config_(std::move(config)) {}
App::~App() = default;

http::Loop& App::loop() { return impl_->loop; }
exec::Engine& App::engine() { return *impl_->engine; }
store::Store& App::store() { return *impl_->store; }
uint16_t App::port() const { return impl_->server ? impl_->server->port() : 0; }
std::string App::url() const { return Scheme() + config_.address + ":" + std::to_string(port()); }

std::string App::Scheme() const { return config_.tls_cert_file.empty() ? "http://" : "https://"; }

Status App::CheckTransport() const {
  bool tls = !config_.tls_cert_file.empty() || !config_.tls_key_file.empty();
  if (tls || config_.allow_plain_http || http::IsLoopbackAddress(config_.address)) return {};
  return Invalid("address",
                 "refusing to serve plain HTTP on " + config_.address +
                     ": passwords, tokens and job secrets would cross the network in clear. "
                     "Serve HTTPS with --tls-cert FILE --tls-key FILE, listen on 127.0.0.1, or "
                     "pass --allow-plain-http (e.g. behind a proxy that terminates TLS)");
}

Status App::Start() {
  KR_TRY(CheckTransport());
  KR_TRY(auth::InitCrypto());
  KR_ASSIGN(std::string db_url, OpenStore());
  KR_TRY(StartEngine());
  api::ApiContext ctx{*impl_->store, *impl_->engine,        *impl_->auth,    *impl_->hub,
                      impl_->loop,   RealClock::Instance(), config_.data_dir};
  StartServices(ctx);
  StartAutoscaler(ctx);
  KR_TRY(Listen());
  KR_TRY(impl_->autoscaler->Start());
  impl_->ScheduleWatchdog();
  if (auto st = impl_->planner->Start(); !st) spdlog::error("planner: {}", st.error().message);
  impl_->ScheduleHeartbeat();
  impl_->runs->CatchUp();
  impl_->RetentionPass();
  impl_->ScheduleRetention();
  // Jobs queued before a restart are picked up as agents return.
  impl_->engine->RequestSchedule();
  spdlog::info("kraken server listening on {} (database {})", url(),
               db_url.starts_with("sqlite:") ? db_url : "postgresql");
  return {};
}

Result<std::string> App::OpenStore() {
  KR_TRY(PrepareDataDir(config_.data_dir));
  if (config_.agents_dir.empty())
    config_.agents_dir = autoscale::DefaultAgentsDir(config_.data_dir);
  config_.agents_dir =
      std::filesystem::weakly_canonical(std::filesystem::absolute(config_.agents_dir)).string();
  std::string db_url =
      config_.db_url.empty() ? "sqlite:" + config_.data_dir + "/kraken.db" : config_.db_url;
  KR_ASSIGN(auto db, store::OpenDb(db_url));
  KR_ASSIGN(impl_->store, store::Store::Open(std::move(db)));
  return db_url;
}

Status App::StartEngine() {
  auto& store = *impl_->store;
  Impl* impl = impl_.get();
  impl_->auth = std::make_unique<auth::Auth>(
      store, RealClock::Instance(),
      [impl](std::function<void()> fn) { impl->loop.Post(std::move(fn)); });
  KR_ASSIGN(admin_password_, impl_->auth->EnsureAdmin(config_.admin_password));
  if (!(*store.GetSetting("server_id")))
    KR_TRY(store.SetSetting("server_id", auth::NewToken("").substr(0, 12)));

  impl_->engine = std::make_unique<exec::Engine>(
      store, RealClock::Instance(),
      [impl](std::function<void()> fn) { impl->loop.Post(std::move(fn)); }, config_.engine);
  KR_TRY(impl_->engine->Bootstrap());
  if (auto box = settings::SecretBox::LoadOrCreate(config_.data_dir + "/server.key")) {
    impl_->secret_box.emplace(std::move(*box));
    impl_->engine->set_secret_box(&*impl_->secret_box);
  } else {
    spdlog::warn("project secrets are unavailable: {}", box.error().message);
  }
  impl_->hub = std::make_unique<api::Hub>(store);
  impl_->engine->add_listener(impl_->hub.get());
  return {};
}

void App::StartServices(api::ApiContext& ctx) {
  auto& store = *impl_->store;
  Impl* impl = impl_.get();
  impl_->planner_timers = std::make_unique<LoopTimers>(impl_->loop);
  impl_->repo_lister = std::make_unique<planner::GitRepoLister>(
      [impl](std::function<void()> fn) { impl->loop.Post(std::move(fn)); });
  impl_->planner = std::make_unique<planner::Planner>(store, *impl_->engine, RealClock::Instance(),
                                                      *impl_->planner_timers, *impl_->repo_lister);
  ctx.planner = impl_->planner.get();
  api::RegisterRestApi(impl_->router, ctx);
  // Completed runs are analysed (test results, issues) and become processed.
  impl_->runs = std::make_unique<resultdb::RunProcessor>(
      store, RealClock::Instance(),
      [impl](std::function<void()> fn) { impl->loop.Post(std::move(fn)); },
      [impl](Id run_id) { impl->hub->Changed("run", run_id); });
  impl_->run_listener = std::make_unique<RunListener>(*impl_->runs);
  impl_->engine->add_listener(impl_->run_listener.get());
  impl_->blob_dir = config_.data_dir + "/blobs";
}

void App::StartAutoscaler(api::ApiContext& ctx) {
  auto& store = *impl_->store;
  autoscale::AllowFakeDriver(config_.enable_fake_driver);
  namespace fs = std::filesystem;
  const AgentBinary agent_binary = FindAgentBinary(config_.agent_binary);
  impl_->drivers =
      std::make_unique<autoscale::Drivers>(fs::read_symlink("/proc/self/exe").string(),
                                           config_.agents_dir, agent_binary.path, config_.data_dir);
  if (agent_binary.path.empty()) {
    spdlog::warn(
        "no kraken-agent binary{}: /install/agent answers 404 and EC2 machines cannot "
        "get an agent; build the kraken-agent target or give --agent-binary",
        config_.agent_binary.empty() ? "" : " at " + config_.agent_binary);
  }
  RegisterAwsEc2Driver(*impl_->drivers, store, config_.data_dir, agent_binary.sha256);
  autoscale::AutoscalerOptions as_options;
  as_options.server_id = **store.GetSetting("server_id");
  as_options.sweep_interval = config_.autoscale_sweep_ms;
  impl_->autoscaler = std::make_unique<autoscale::Autoscaler>(
      *impl_->engine, store, impl_->loop, RealClock::Instance(), *impl_->drivers, as_options);
  impl_->engine->add_listener(impl_->autoscaler.get());
  RegisterAutoscaleRoutes(impl_->router, ctx, *impl_->autoscaler);
  api::RegisterAgentApi(impl_->router, ctx);
  RegisterInstallRoutes(impl_->router, agent_binary);
  RegisterStaticRoutes(impl_->router, config_.ui_dir);
}

Status App::Listen() {
  http::ServerOptions opts;
  opts.address = config_.address;
  opts.port = config_.port;
  opts.max_connections = config_.max_connections;
  opts.max_connections_per_address = config_.max_connections_per_address;
  opts.tls_cert_file = config_.tls_cert_file;
  opts.tls_key_file = config_.tls_key_file;
  // Large JSON bodies (logs, result batches, stages) are parsed off the loop.
  opts.prepare_body = api::PrepareJsonBody;
  impl_->server = std::make_unique<http::Server>(impl_->loop, impl_->router, opts);
  KR_TRY(impl_->server->Start());
  // Machines' agents reach the server on loopback when it listens on every address.
  impl_->autoscaler->set_server_url(Scheme() +
                                    (config_.address == "0.0.0.0" || config_.address.empty()
                                         ? std::string("127.0.0.1")
                                         : config_.address) +
                                    ":" + std::to_string(port()));
  if (!config_.tls_cert_file.empty()) {
    // Machines pin a self-signed certificate; a CA-signed one they verify as usual.
    KR_ASSIGN(auto certificate, http::ReadCertificateInfo(config_.tls_cert_file));
    if (certificate.self_signed) impl_->autoscaler->set_server_fingerprint(certificate.fingerprint);
  }
  return {};
}

void App::Run() { impl_->loop.Run(); }

void App::Stop() {
  impl_->loop.Post([this] {
    impl_->watchdog.reset();
    impl_->planner.reset();
    impl_->heartbeat.reset();
    impl_->retention.reset();
    if (impl_->autoscaler) impl_->autoscaler->Stop();
    if (impl_->server) impl_->server->Stop();
    impl_->loop.Stop();
  });
}

std::vector<std::pair<std::string, std::string>> App::routes() const {
  return impl_->router.Routes();
}

Result<std::string> App::CreateAdminToken(const std::string& name) {
  KR_ASSIGN(auto admin, impl_->store->FindUser("admin"));
  if (!admin) return NotFound("no admin user");
  KR_ASSIGN(auto token, impl_->auth->CreateApiToken(admin->id, name));
  return token.token;
}

}  // namespace kraken::server
