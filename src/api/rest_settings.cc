// REST API: server settings (admin only). General: the URL agents use. Cloud: the AWS
// account, whose secrets are sealed at rest and never sent back, Test Access (a real
// signed DescribeRegions), and the region and instance-type lists the UI offers.
//
// Calls to AWS are made off the event loop, on a small worker pool; the answer is posted
// back to the loop.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/api.h"
#include "api/json_io.h"
#include "api/routes.h"
#include "cloud/aws/curl_transport.h"
#include "cloud/aws/ec2_client.h"
#include "cloud/ec2/aws_accounts.h"
#include "core/worker_pool.h"

namespace kraken::api {
namespace {

constexpr const char* kDefaultRegion = "us-east-1";

struct SettingsContext {
  explicit SettingsContext(ApiContext ctx) : api(std::move(ctx)) {}
  ApiContext api;
  std::optional<settings::SecretBox> box;  // absent when the key file could not be read
  std::string box_error;
  // Blocking AWS calls; a few at a time, a few more waiting. Last: joined first.
  WorkerPool calls{2};
};

// How many AWS calls may wait for a thread of the pool before the next gets a 503.
constexpr size_t kMaxQueuedCalls = 8;

Result<ec2::AwsSettings> LoadAws(SettingsContext& s) {
  if (!s.box) return Fail(ErrorCode::kInternal, s.box_error);
  ec2::CloudAccounts accounts(s.api.store.db(), *s.box);
  KR_ASSIGN(auto stored, accounts.GetAws());
  if (!stored || stored->access_key.empty() || stored->secret_access_key.empty())
    return Invalid("access_key", "no AWS keys are saved: save an access key and its secret first");
  return *stored;
}

Json AwsErrorJson(const aws::AwsError& e) {
  return Json{{"ok", false},
              {"code", e.code},
              {"message", e.message},
              {"error", e.code.empty() ? e.message : e.code + ": " + e.message}};
}

// Runs `call` with an EC2 client for `region` off the loop and answers with its JSON. The
// thread holds only what outlives it (the loop) or what it owns.
void WithClient(SettingsContext& s, std::shared_ptr<http::Responder> responder,
                const ec2::AwsSettings& aws_settings, std::string region,
                std::function<http::Response(aws::Ec2Client&)> call) {
  http::Loop* loop = &s.api.loop;
  const bool queued = s.calls.TrySubmit(
      [loop, responder, aws_settings, region, call] {
        aws::CurlTransportOptions options;
        options.connect_timeout = std::chrono::seconds(5);
        options.total_timeout = std::chrono::seconds(20);
        aws::CurlTransport transport(options);
        ec2::AwsAccount account = aws_settings.Account();
        aws::Ec2Client client({account.credentials, region, account.endpoint, {}}, transport);
        http::Response response = call(client);
        loop->Post([responder, response = std::move(response)]() mutable {
          responder->Send(std::move(response));
        });
      },
      kMaxQueuedCalls);
  if (!queued) {
    responder->Send(ErrorResponse(Error{
        ErrorCode::kUnavailable, "too many calls to AWS are in progress; try again shortly"}));
  }
}

// A deferred handler for admins only.
http::DeferredHandler AdminDeferred(
    std::shared_ptr<SettingsContext> s,
    std::function<void(http::Request&, std::shared_ptr<http::Responder>)> handler) {
  return [s, handler](http::Request& req, std::shared_ptr<http::Responder> responder) {
    auto who = s->api.auth.Authenticate(RequestToken(req));
    if (!who) return responder->Send(ErrorResponse(who.error()));
    if (!who->user.is_admin)
      return responder->Send(ErrorResponse(Error{ErrorCode::kForbidden, "this needs an admin"}));
    handler(req, responder);
  };
}

// General: the URL agents use.
void RegisterGeneralSettingsRoutes(http::Router& r, ApiContext ctx) {
  r.Get(
      "/api/v1/settings/general", Authed(ctx, [ctx](http::Request& req, const auth::Principal&) {
        auto url = ctx.store.GetSetting("server_url");
        if (!url) return ErrorResponse(url.error());
        // Unset: the address this client reached the server at.
        std::string value = *url ? **url : "http://" + std::string(req.Header("host"));
        return JsonResponse(200, Json{{"server_url", value}, {"server_url_set", url->has_value()}});
      }));
  r.Put("/api/v1/settings/general",
        Authed(
            ctx,
            [ctx](http::Request& req, const auth::Principal&) {
              auto body = ParseObject(req);
              if (!body) return ErrorResponse(body.error());
              auto url = RequiredString(*body, "server_url");
              if (!url) return ErrorResponse(url.error());
              std::string value = *url;
              while (value.ends_with('/')) value.pop_back();
              if (!value.starts_with("http://") && !value.starts_with("https://"))
                return ErrorResponse(Error{ErrorCode::kInvalid,
                                           "server_url must start with http:// or https://",
                                           "server_url"});
              if (value.find_first_of(" \t\r\n'\"") != std::string::npos)
                return ErrorResponse(Error{ErrorCode::kInvalid,
                                           "server_url must not contain spaces or quotes",
                                           "server_url"});
              if (auto st = ctx.store.SetSetting("server_url", value); !st)
                return ErrorResponse(st.error());
              return JsonResponse(200, Json{{"server_url", value}, {"server_url_set", true}});
            },
            /*admin_only=*/true));
}

// Cloud: the AWS account, Test Access, and the regions and instance types the UI offers.
// The AWS account: read (secrets masked) and update.
void RegisterAwsAccountRoutes(http::Router& r, ApiContext ctx, std::shared_ptr<SettingsContext> s) {
  r.Get("/api/v1/settings/cloud/aws",
        Authed(
            ctx,
            [s](http::Request&, const auth::Principal&) {
              if (!s->box) return ErrorResponse(Error{ErrorCode::kInternal, s->box_error});
              ec2::CloudAccounts accounts(s->api.store.db(), *s->box);
              auto stored = accounts.GetAws();
              if (!stored) return ErrorResponse(stored.error());
              ec2::AwsSettings v = stored->value_or(ec2::AwsSettings{});
              return JsonResponse(200, Json{{"access_key", v.access_key},
                                            {"secret_set", !v.secret_access_key.empty()},
                                            {"session_token_set", !v.session_token.empty()},
                                            {"endpoint", v.endpoint},
                                            {"region", v.region},
                                            {"updated", v.updated}});
            },
            /*admin_only=*/true));
  r.Put("/api/v1/settings/cloud/aws",
        Authed(
            ctx,
            [s](http::Request& req, const auth::Principal& p) {
              if (!s->box) return ErrorResponse(Error{ErrorCode::kInternal, s->box_error});
              auto body = ParseObject(req);
              if (!body) return ErrorResponse(body.error());
              ec2::CloudAccounts accounts(s->api.store.db(), *s->box);
              auto stored = accounts.GetAws();
              if (!stored) return ErrorResponse(stored.error());
              ec2::AwsSettings v = stored->value_or(ec2::AwsSettings{});
              auto updated = ec2::ApplyAwsUpdate(std::move(v), *body);
              if (!updated) return ErrorResponse(updated.error());
              v = std::move(*updated);
              if (auto st = accounts.PutAws(v, s->api.clock.Now()); !st)
                return ErrorResponse(st.error());
              spdlog::info("AWS keys saved by {} (access key {}, secret {})", p.user.name,
                           settings::Mask(v.access_key), "********");
              return JsonResponse(200, Json{{"access_key", v.access_key},
                                            {"secret_set", true},
                                            {"session_token_set", !v.session_token.empty()},
                                            {"endpoint", v.endpoint},
                                            {"region", v.region}});
            },
            /*admin_only=*/true));
}

// Calls to AWS with the saved account, on the worker pool: access test, regions, types.
void RegisterAwsProbeRoutes(http::Router& r, ApiContext ctx, std::shared_ptr<SettingsContext> s) {
  r.Add(
      "POST", "/api/v1/settings/cloud/aws/test",
      AdminDeferred(s, [s](http::Request&, std::shared_ptr<http::Responder> responder) {
        auto aws_settings = LoadAws(*s);
        if (!aws_settings) {
          if (aws_settings.error().code != ErrorCode::kInvalid)
            return responder->Send(ErrorResponse(aws_settings.error()));
          return responder->Send(JsonResponse(200, Json{{"ok", false},
                                                        {"code", "NoCredentials"},
                                                        {"message", aws_settings.error().message},
                                                        {"error", aws_settings.error().message}}));
        }
        std::string region = aws_settings->region.empty() ? kDefaultRegion : aws_settings->region;
        WithClient(*s, responder, *aws_settings, region, [region](aws::Ec2Client& client) {
          auto regions = client.DescribeRegions();
          if (!regions) return JsonResponse(200, AwsErrorJson(regions.error()));
          return JsonResponse(200, Json{{"ok", true},
                                        {"message", "AWS accepted the keys (" +
                                                        std::to_string(regions->regions.size()) +
                                                        " regions visible from " + region + ")"},
                                        {"regions", regions->regions.size()}});
        });
      }));

  r.Add("GET", "/api/v1/settings/cloud/aws/regions",
        AdminDeferred(s, [s](http::Request&, std::shared_ptr<http::Responder> responder) {
          auto aws_settings = LoadAws(*s);
          if (!aws_settings) return responder->Send(ErrorResponse(aws_settings.error()));
          std::string region = aws_settings->region.empty() ? kDefaultRegion : aws_settings->region;
          WithClient(*s, responder, *aws_settings, region, [](aws::Ec2Client& client) {
            auto regions = client.DescribeRegions();
            if (!regions)
              return ErrorResponse(
                  Error{ErrorCode::kUnavailable,
                        "EC2 answered " + regions.error().code + ": " + regions.error().message});
            Json list = Json::array();
            for (const aws::Region& region : regions->regions)
              list.push_back({{"name", region.name}, {"endpoint", region.endpoint}});
            std::sort(list.begin(), list.end(),
                      [](const Json& a, const Json& b) { return a["name"] < b["name"]; });
            return JsonResponse(200, Json{{"regions", list}});
          });
        }));

  r.Add("GET", "/api/v1/settings/cloud/aws/instance-types",
        AdminDeferred(s, [s](http::Request& req, std::shared_ptr<http::Responder> responder) {
          std::string region = req.Query("region");
          if (!ec2::ValidRegion(region))
            return responder->Send(ErrorResponse(
                Error{ErrorCode::kInvalid, "region is required: a region name such as us-east-1",
                      "region"}));
          auto aws_settings = LoadAws(*s);
          if (!aws_settings) return responder->Send(ErrorResponse(aws_settings.error()));
          WithClient(*s, responder, *aws_settings, region, [region](aws::Ec2Client& client) {
            auto offerings = client.DescribeInstanceTypeOfferings({});
            if (!offerings)
              return ErrorResponse(Error{
                  ErrorCode::kUnavailable,
                  "EC2 answered " + offerings.error().code + ": " + offerings.error().message});
            std::vector<std::string> names;
            for (const aws::InstanceTypeOffering& o : offerings->offerings)
              names.push_back(o.instance_type);
            std::sort(names.begin(), names.end());
            names.erase(std::unique(names.begin(), names.end()), names.end());
            Json list = Json::array();
            for (const std::string& n : names) list.push_back({{"name", n}});
            return JsonResponse(200, Json{{"region", region}, {"instance_types", list}});
          });
        }));
}

void RegisterAwsSettingsRoutes(http::Router& r, ApiContext ctx,
                               std::shared_ptr<SettingsContext> s) {
  RegisterAwsAccountRoutes(r, ctx, s);
  RegisterAwsProbeRoutes(r, ctx, s);
}

}  // namespace

void RegisterSettingsRoutes(http::Router& r, ApiContext ctx) {
  auto s = std::make_shared<SettingsContext>(ctx);
  if (ctx.data_dir.empty()) {
    s->box_error = "the server has no data directory for its key";
  } else if (auto box = settings::SecretBox::LoadOrCreate(ctx.data_dir + "/server.key")) {
    s->box.emplace(std::move(*box));
  } else {
    s->box_error = box.error().message;
    spdlog::error("cloud settings unavailable: {}", s->box_error);
  }
  RegisterGeneralSettingsRoutes(r, ctx);
  RegisterAwsSettingsRoutes(r, ctx, std::move(s));
}

}  // namespace kraken::api
