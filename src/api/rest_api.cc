// REST API: sign-in and tokens, projects, branches and stages.
#include <fmt/format.h>

#include "api/api.h"
#include "api/json_io.h"
#include "api/results_api.h"
#include "api/routes.h"
#include "http/error_response.h"
#include "workflow/stage_def.h"

namespace kraken::api {

extern const char kOpenApiDocument[];

std::string RequestToken(const http::Request& request) {
  if (std::string token = BearerToken(request); !token.empty()) return token;
  std::string_view cookies = request.Header("cookie");
  for (size_t pos = 0; pos < cookies.size();) {
    size_t end = cookies.find(';', pos);
    std::string_view part = cookies.substr(pos, end == std::string_view::npos ? end : end - pos);
    while (part.starts_with(' ')) part.remove_prefix(1);
    if (part.starts_with("kraken_session=")) return std::string(part.substr(15));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return {};
}

http::Handler Authed(ApiContext ctx, AuthedHandler handler, bool admin_only) {
  return [ctx, handler = std::move(handler), admin_only](http::Request& req) {
    auto who = ctx.auth.Authenticate(RequestToken(req));
    if (!who) return ErrorResponse(who.error());
    if (admin_only && !who->user.is_admin)
      return ErrorResponse(Error{ErrorCode::kForbidden, "this needs an admin"});
    return handler(req, *who);
  };
}

namespace {

// Parses the stage schema from a request body: `schema` as a dict, or `schema_code` as
// JSON text. Returns the evaluated dict and its source form.
// Reads the schema of a stage create or update: evaluated and validated at save time.
workflow::SchemaResult<bool> ReadSchema(store::Store& store, const Json& body, Stage& stage) {
  if (!body.contains("schema") && !body.contains("schema_code")) return false;
  auto schema = EvaluateStageBody(store, body, stage);
  if (!schema) return tl::unexpected(schema.error());
  return true;
}

Json StageJson(const Stage& s) { return ToJson(s); }

http::Response LoginResponse(const auth::LoginResult& result, const std::string& user) {
  if (result.retry_after > 0) {
    bool busy = result.token.error().code == ErrorCode::kUnavailable;
    return http::RetryLater(busy ? 503 : 429, busy ? "unavailable" : "rate_limited",
                            result.token.error().message,
                            std::chrono::milliseconds(result.retry_after));
  }
  if (!result.token) return ErrorResponse(result.token.error());
  auto res = JsonResponse(200, Json{{"token", *result.token}, {"user", user}});
  res.headers.emplace_back(
      "Set-Cookie", "kraken_session=" + *result.token + "; Path=/; HttpOnly; SameSite=Strict");
  return res;
}

// Sign-in, sessions and API tokens.
void RegisterSignInRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  // Deferred: the password is checked off the loop, and the answer sent when it is done.
  r.Add("POST", "/api/v1/auth/login",
        http::DeferredHandler([ctx](http::Request& req, std::shared_ptr<http::Responder> out) {
          auto body = ParseObject(req);
          if (!body) return out->Send(ErrorResponse(body.error()));
          auto user = RequiredString(*body, "user");
          if (!user) return out->Send(ErrorResponse(user.error()));
          auto password = RequiredString(*body, "password");
          if (!password) return out->Send(ErrorResponse(password.error()));
          ctx.auth.Login(*user, *password, req.remote_address,
                         [out, user = *user](auth::LoginResult result) {
                           out->Send(LoginResponse(result, user));
                         });
        }));
  r.Post("/api/v1/auth/logout", Authed(ctx, [ctx](http::Request& req, const auth::Principal&) {
           auto st = ctx.auth.Logout(RequestToken(req));
           auto res = st ? JsonResponse(200, Json{{"ok", true}}) : ErrorResponse(st.error());
           res.headers.emplace_back("Set-Cookie", "kraken_session=; Path=/; Max-Age=0");
           return res;
         }));
  r.Get("/api/v1/auth/me", Authed(ctx, [](http::Request&, const auth::Principal& p) {
          return JsonResponse(200, ToJson(p.user));
        }));
  r.Get("/api/v1/tokens", Authed(ctx, [&store](http::Request&, const auth::Principal& p) {
          auto list = store.ListTokens(p.user.id, "api");
          return Reply(list, [](const auto& v) {
            Json out = Json::array();
            for (const auto& t : v)
              out.push_back({{"id", t.id}, {"name", t.name}, {"created", t.created}});
            return out;
          });
        }));
  r.Post("/api/v1/tokens", Authed(ctx, [ctx](http::Request& req, const auth::Principal& p) {
           auto body = ParseObject(req);
           if (!body) return ErrorResponse(body.error());
           auto name = RequiredString(*body, "name");
           if (!name) return ErrorResponse(name.error());
           auto t = ctx.auth.CreateApiToken(p.user.id, *name);
           return Reply(
               t,
               [](const auto& v) {
                 return Json{{"id", v.id}, {"name", v.name}, {"token", v.token}};
               },
               201);
         }));
  r.Delete("/api/v1/tokens/{id}",
           Authed(ctx, [&store](http::Request& req, const auth::Principal& p) {
             auto id = IdParam(req, "id");
             if (!id) return ErrorResponse(id.error());
             auto st = store.DeleteToken(*id, p.user.id);
             return st ? JsonResponse(200, Json{{"deleted", *id}}) : ErrorResponse(st.error());
           }));
}

// Projects.
void RegisterProjectRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  const Clock& clock = ctx.clock;
  r.Get("/api/v1/projects", Authed(ctx, [&store](http::Request&, const auth::Principal&) {
          auto projects = store.ListProjects();
          if (!projects) return ErrorResponse(projects.error());
          Json out = Json::array();
          for (const auto& p : *projects) {
            Json j = ToJson(p);
            j["branches"] = Json::array();
            if (auto branches = store.ListBranches(p.id))
              for (const auto& b : *branches) j["branches"].push_back(ToJson(b));
            out.push_back(std::move(j));
          }
          return JsonResponse(200, out);
        }));
  r.Post("/api/v1/projects",
         Authed(ctx, [&store, &clock](http::Request& req, const auth::Principal&) {
           auto body = ParseObject(req);
           if (!body) return ErrorResponse(body.error());
           auto name = RequiredString(*body, "name");
           if (!name) return ErrorResponse(name.error());
           auto desc = OptionalString(*body, "description", "");
           if (!desc) return ErrorResponse(desc.error());
           auto existing = store.FindProject(*name);
           if (existing && *existing)
             return ErrorResponse(
                 Error{ErrorCode::kConflict, "a project named '" + *name + "' exists", "name"});
           auto p = store.CreateProject(Project{0, *name, *desc, clock.Now()});
           return Reply(
               p, [](const auto& v) { return ToJson(v); }, 201);
         }));
  r.Get("/api/v1/projects/{id}", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          auto p = store.GetProject(*id);
          if (!p) return ErrorResponse(p.error());
          Json j = ToJson(*p);
          j["branches"] = Json::array();
          if (auto branches = store.ListBranches(p->id))
            for (const auto& b : *branches) j["branches"].push_back(ToJson(b));
          return JsonResponse(200, j);
        }));
  r.Put("/api/v1/projects/{id}", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          auto body = ParseObject(req);
          if (!body) return ErrorResponse(body.error());
          auto p = store.GetProject(*id);
          if (!p) return ErrorResponse(p.error());
          auto name = OptionalString(*body, "name", p->name);
          auto desc = OptionalString(*body, "description", p->description);
          if (!name) return ErrorResponse(name.error());
          if (!desc) return ErrorResponse(desc.error());
          if (name->empty())
            return ErrorResponse(Error{ErrorCode::kInvalid, "must not be empty", "name"});
          p->name = *name;
          p->description = *desc;
          auto st = store.SaveProject(*p);
          if (!st) return ErrorResponse(st.error());
          return JsonResponse(200, ToJson(*p));
        }));
  r.Delete("/api/v1/projects/{id}",
           Authed(
               ctx,
               [&store](http::Request& req, const auth::Principal&) {
                 auto id = IdParam(req, "id");
                 if (!id) return ErrorResponse(id.error());
                 auto st = store.DeleteProject(*id);
                 return st ? JsonResponse(200, Json{{"deleted", *id}}) : ErrorResponse(st.error());
               },
               true));
}

// A project's branches.
void RegisterBranchRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  const Clock& clock = ctx.clock;
  r.Get("/api/v1/projects/{id}/branches",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto p = store.GetProject(*id); !p) return ErrorResponse(p.error());
          auto list = store.ListBranches(*id);
          return Reply(list, [](const auto& v) {
            Json out = Json::array();
            for (const auto& b : v) out.push_back(ToJson(b));
            return out;
          });
        }));
  r.Post("/api/v1/projects/{id}/branches",
         Authed(ctx, [&store, &clock](http::Request& req, const auth::Principal&) {
           auto id = IdParam(req, "id");
           if (!id) return ErrorResponse(id.error());
           auto body = ParseObject(req);
           if (!body) return ErrorResponse(body.error());
           if (auto p = store.GetProject(*id); !p) return ErrorResponse(p.error());
           auto name = RequiredString(*body, "name");
           if (!name) return ErrorResponse(name.error());
           auto repo_branch = OptionalString(*body, "branch_name", *name);
           if (!repo_branch) return ErrorResponse(repo_branch.error());
           Json env = body->value("env", Json::object());
           if (!env.is_object())
             return ErrorResponse(Error{ErrorCode::kInvalid, "must be an object", "env"});
           if (auto dup = store.FindBranch(*id, *name); dup && *dup)
             return ErrorResponse(Error{ErrorCode::kConflict,
                                        "the project has a branch named '" + *name + "'", "name"});
           Branch b{0, *id, *name, *repo_branch, env};
           b.created = clock.Now();
           auto created = store.CreateBranch(b);
           return Reply(
               created, [](const auto& v) { return ToJson(v); }, 201);
         }));
  r.Get("/api/v1/branches/{id}", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          auto b = store.GetBranch(*id);
          return Reply(b, [](const auto& v) { return ToJson(v); });
        }));
  r.Put("/api/v1/branches/{id}", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          auto body = ParseObject(req);
          if (!body) return ErrorResponse(body.error());
          auto b = store.GetBranch(*id);
          if (!b) return ErrorResponse(b.error());
          auto name = OptionalString(*body, "name", b->name);
          auto repo = OptionalString(*body, "branch_name", b->branch_name);
          if (!name) return ErrorResponse(name.error());
          if (!repo) return ErrorResponse(repo.error());
          if (body->contains("env")) {
            if (!(*body)["env"].is_object())
              return ErrorResponse(Error{ErrorCode::kInvalid, "must be an object", "env"});
            b->env = (*body)["env"];
          }
          b->name = *name;
          b->branch_name = *repo;
          auto st = store.SaveBranch(*b);
          if (!st) return ErrorResponse(st.error());
          return JsonResponse(200, ToJson(*b));
        }));
  r.Delete("/api/v1/branches/{id}",
           Authed(
               ctx,
               [&store](http::Request& req, const auth::Principal&) {
                 auto id = IdParam(req, "id");
                 if (!id) return ErrorResponse(id.error());
                 auto st = store.DeleteBranch(*id);
                 return st ? JsonResponse(200, Json{{"deleted", *id}}) : ErrorResponse(st.error());
               },
               true));
}

// A branch's stages, saved once their schema checks; the planner hears of each change.
// A branch's stages: list and create.
void RegisterBranchStageRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  r.Get("/api/v1/branches/{id}/stages",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto b = store.GetBranch(*id); !b) return ErrorResponse(b.error());
          auto list = store.ListStages(*id);
          return Reply(list, [](const auto& v) {
            Json out = Json::array();
            for (const auto& s : v) out.push_back(StageJson(s));
            return out;
          });
        }));
  r.Post("/api/v1/branches/{id}/stages",
         Authed(ctx, [&store, ctx](http::Request& req, const auth::Principal&) {
           auto id = IdParam(req, "id");
           if (!id) return ErrorResponse(id.error());
           auto body = ParseObject(req);
           if (!body) return ErrorResponse(body.error());
           if (auto b = store.GetBranch(*id); !b) return ErrorResponse(b.error());
           auto name = RequiredString(*body, "name");
           if (!name) return ErrorResponse(name.error());
           Stage s;
           s.branch_id = *id;
           s.name = *name;
           auto desc = OptionalString(*body, "description", "");
           auto enabled = OptionalBool(*body, "enabled", true);
           if (!desc) return ErrorResponse(desc.error());
           if (!enabled) return ErrorResponse(enabled.error());
           s.description = *desc;
           s.enabled = *enabled;
           if (!body->contains("schema") && !body->contains("schema_code"))
             return ErrorResponse(Error{ErrorCode::kInvalid, "is required", "schema"});
           if (auto st = ReadSchema(store, *body, s); !st) return SchemaErrorResponse(st.error());
           s.created = s.updated = ctx.clock.Now();
           auto created = store.CreateStage(s);
           if (!created && created.error().code == ErrorCode::kConflict)
             return ErrorResponse(Error{ErrorCode::kConflict,
                                        "the branch has a stage named '" + s.name + "'", "name"});
           if (created && ctx.planner) (void)ctx.planner->SyncStage(created->id);
           return Reply(
               created, [](const auto& v) { return StageJson(v); }, 201);
         }));
}

// One stage: read, update, delete.
void RegisterOneStageRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  r.Get("/api/v1/stages/{id}", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          auto s = store.GetStage(*id);
          return Reply(s, [](const auto& v) { return StageJson(v); });
        }));
  r.Put("/api/v1/stages/{id}",
        Authed(ctx, [&store, ctx](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          auto body = ParseObject(req);
          if (!body) return ErrorResponse(body.error());
          auto s = store.GetStage(*id);
          if (!s) return ErrorResponse(s.error());
          auto name = OptionalString(*body, "name", s->name);
          auto desc = OptionalString(*body, "description", s->description);
          auto enabled = OptionalBool(*body, "enabled", s->enabled);
          if (!name) return ErrorResponse(name.error());
          if (!desc) return ErrorResponse(desc.error());
          if (!enabled) return ErrorResponse(enabled.error());
          s->name = *name;
          s->description = *desc;
          s->enabled = *enabled;
          if (auto st = ReadSchema(store, *body, *s); !st) return SchemaErrorResponse(st.error());
          s->updated = ctx.clock.Now();
          auto st = store.SaveStage(*s);
          if (!st) return ErrorResponse(st.error());
          if (ctx.planner) (void)ctx.planner->SyncStage(s->id);
          return JsonResponse(200, StageJson(*s));
        }));
  r.Delete("/api/v1/stages/{id}",
           Authed(ctx, [&store, ctx](http::Request& req, const auth::Principal&) {
             auto id = IdParam(req, "id");
             if (!id) return ErrorResponse(id.error());
             auto st = store.DeleteStage(*id);
             if (st && ctx.planner) (void)ctx.planner->SyncStage(*id);
             return st ? JsonResponse(200, Json{{"deleted", *id}}) : ErrorResponse(st.error());
           }));
}

void RegisterStageRoutes(http::Router& r, ApiContext ctx) {
  RegisterBranchStageRoutes(r, ctx);
  RegisterOneStageRoutes(r, ctx);
}

}  // namespace

void RegisterRestApi(http::Router& r, ApiContext ctx) {
  r.Get("/api/v1/health", [](http::Request&) {
    return JsonResponse(200, Json{{"status", "ok"}, {"version", "0.1.0"}});
  });
  r.Get("/api/v1/openapi.json",
        [](http::Request&) { return http::Response::Json(200, kOpenApiDocument); });
  RegisterSignInRoutes(r, ctx);
  RegisterProjectRoutes(r, ctx);
  RegisterBranchRoutes(r, ctx);
  RegisterStageRoutes(r, ctx);
  RegisterExecRoutes(r, ctx);
  RegisterAgentsRoutes(r, ctx);
  RegisterSettingsRoutes(r, ctx);
  RegisterResultsApi(r, ctx);
  RegisterSchemaRoutes(r, ctx);
  RegisterSecretRoutes(r, ctx);
}

}  // namespace kraken::api
