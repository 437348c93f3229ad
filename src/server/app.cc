#include "server/app.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "api/api.h"
#include "api/hub.h"
#include "auth/auth.h"
#include "auth/crypto.h"
#include "http/router.h"
#include "http/server.h"
#include "server/static_files.h"
#include "store/store.h"

namespace kraken::server {

struct App::Impl {
  http::Loop loop;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<auth::Auth> auth;
  std::unique_ptr<exec::Engine> engine;
  std::unique_ptr<api::Hub> hub;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<http::Loop::Timer> watchdog, heartbeat;

  void ScheduleWatchdog() {
    watchdog = loop.After(std::chrono::milliseconds(1000), [this] {
      engine->WatchdogPass();
      ScheduleWatchdog();
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
std::string App::url() const {
  return "http://" + config_.address + ":" + std::to_string(port());
}

Status App::Start() {
  KR_TRY(auth::InitCrypto());
  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  if (ec)
    return Fail(ErrorCode::kInvalid,
                "cannot create data dir " + config_.data_dir + ": " + ec.message());
  std::string db_url = config_.db_url.empty() ? "sqlite:" + config_.data_dir + "/kraken.db"
                                              : config_.db_url;
  KR_ASSIGN(auto db, store::OpenDb(db_url));
  KR_ASSIGN(impl_->store, store::Store::Open(std::move(db)));
  auto& store = *impl_->store;

  impl_->auth = std::make_unique<auth::Auth>(store, RealClock::Instance());
  KR_ASSIGN(admin_password_, impl_->auth->EnsureAdmin(config_.admin_password));
  if (!(*store.GetSetting("server_id")))
    KR_TRY(store.SetSetting("server_id", auth::NewToken("").substr(0, 12)));

  Impl* impl = impl_.get();
  impl_->engine = std::make_unique<exec::Engine>(
      store, RealClock::Instance(), [impl](std::function<void()> fn) { impl->loop.Post(std::move(fn)); },
      config_.engine);
  KR_TRY(impl_->engine->Bootstrap());
  impl_->hub = std::make_unique<api::Hub>(store);
  impl_->engine->add_listener(impl_->hub.get());

  api::ApiContext ctx{store, *impl_->engine, *impl_->auth, *impl_->hub, impl_->loop};
  api::RegisterRestApi(impl_->router, ctx);
  api::RegisterAgentApi(impl_->router, ctx);
  RegisterInstallRoutes(impl_->router);
  RegisterStaticRoutes(impl_->router, config_.ui_dir);

  http::ServerOptions opts;
  opts.address = config_.address;
  opts.port = config_.port;
  impl_->server = std::make_unique<http::Server>(impl_->loop, impl_->router, opts);
  KR_TRY(impl_->server->Start());
  impl_->ScheduleWatchdog();
  impl_->ScheduleHeartbeat();
  // Jobs queued before a restart are picked up as agents return.
  impl_->engine->RequestSchedule();
  spdlog::info("kraken server listening on {} (database {})", url(),
               db_url.starts_with("sqlite:") ? db_url : "postgresql");
  return {};
}

void App::Run() { impl_->loop.Run(); }

void App::Stop() {
  impl_->loop.Post([this] {
    impl_->watchdog.reset();
    impl_->heartbeat.reset();
    if (impl_->server) impl_->server->Stop();
    impl_->loop.Stop();
  });
}

Result<std::string> App::CreateAdminToken(const std::string& name) {
  KR_ASSIGN(auto admin, impl_->store->FindUser("admin"));
  if (!admin) return NotFound("no admin user");
  KR_ASSIGN(auto token, impl_->auth->CreateApiToken(admin->id, name));
  return token.token;
}

}  // namespace kraken::server
