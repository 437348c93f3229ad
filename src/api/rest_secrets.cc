// Project secrets: list, create, update and delete (admins only). Values go in and never
// come back out: every answer carries the name and kind alone (docs/openapi.json).
#include "api/json_io.h"
#include "api/routes.h"
#include "core/clock.h"
#include "secrets/project_secrets.h"

namespace kraken::api {
namespace {

Result<secrets::ProjectSecrets> Secrets(ApiContext& ctx) {
  const settings::SecretBox* box = ctx.engine.secret_box();
  if (!box)
    return Fail(ErrorCode::kUnavailable, "the server key is unavailable: secrets cannot be stored");
  return secrets::ProjectSecrets(ctx.store.db(), *box);
}

}  // namespace

void RegisterSecretRoutes(http::Router& r, ApiContext ctx) {
  auto admin = [ctx](auto handler) mutable {
    return Authed(
        ctx,
        [ctx, handler](http::Request& req, const auth::Principal&) mutable {
          return handler(req, ctx);
        },
        /*admin_only=*/true);
  };
  r.Get("/api/v1/projects/{id}/secrets", admin([](http::Request& req, ApiContext& ctx) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto p = ctx.store.GetProject(*id); !p) return ErrorResponse(p.error());
          auto list = secrets::ListSecretInfo(ctx.store.db(), *id);
          return Reply(list, [](const auto& items) {
            Json out = Json::array();
            for (const auto& s : items) out.push_back(secrets::ToJson(s));
            return out;
          });
        }));
  r.Post("/api/v1/projects/{id}/secrets", admin([](http::Request& req, ApiContext& ctx) {
           auto id = IdParam(req, "id");
           if (!id) return ErrorResponse(id.error());
           auto body = ParseObject(req);
           if (!body) return ErrorResponse(body.error());
           if (auto p = ctx.store.GetProject(*id); !p) return ErrorResponse(p.error());
           auto secret = secrets::SecretFromBody(*body, std::nullopt);
           if (!secret) return ErrorResponse(secret.error());
           auto store = Secrets(ctx);
           if (!store) return ErrorResponse(store.error());
           auto made = store->Create(*id, *secret, ctx.clock.Now());
           return Reply(
               made, [](const secrets::SecretInfo& s) { return secrets::ToJson(s); }, 201);
         }));
  r.Put("/api/v1/secrets/{id}", admin([](http::Request& req, ApiContext& ctx) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          auto body = ParseObject(req);
          if (!body) return ErrorResponse(body.error());
          auto store = Secrets(ctx);
          if (!store) return ErrorResponse(store.error());
          auto existing = store->Get(*id);
          if (!existing) return ErrorResponse(existing.error());
          auto secret = secrets::SecretFromBody(*body, *existing);
          if (!secret) return ErrorResponse(secret.error());
          if (auto done = store->Update(*id, *secret, ctx.clock.Now()); !done)
            return ErrorResponse(done.error());
          return Reply(store->Get(*id),
                       [](const secrets::SecretInfo& s) { return secrets::ToJson(s); });
        }));
  r.Delete("/api/v1/secrets/{id}", admin([](http::Request& req, ApiContext& ctx) {
             auto id = IdParam(req, "id");
             if (!id) return ErrorResponse(id.error());
             auto store = Secrets(ctx);
             if (!store) return ErrorResponse(store.error());
             if (auto done = store->Delete(*id); !done) return ErrorResponse(done.error());
             return JsonResponse(200, Json{{"deleted", *id}});
           }));
}

}  // namespace kraken::api
