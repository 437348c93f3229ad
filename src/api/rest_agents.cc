// REST API: agents, agents groups and registration tokens.
#include <fmt/format.h>

#include <set>

#include "api/json_io.h"
#include "api/routes.h"
#include "autoscale/deployment.h"

namespace kraken::api {
namespace {

const std::set<std::string> kMethods = {"manual", "local", "docker", "aws_ec2", "kubernetes"};

Status CheckDeployment(const Json& d) {
  if (!d.is_object()) return Invalid("deployment", "must be an object");
  std::string method = d.value("method", "manual");
  if (!kMethods.count(method) && !(method == "fake" && autoscale::FakeDriverAllowed()))
    return Invalid("deployment.method",
                   "must be one of manual, local, docker, aws_ec2, kubernetes");
  // Every option of the autoscaler, with an error naming the field.
  KR_TRY(autoscale::ParseDeployment(d));
  return {};
}

// Resolves group names or ids to ids.
Result<std::vector<Id>> GroupIds(store::Store& store, const Json& list) {
  if (!list.is_array()) return Invalid("groups", "must be a list of group names or ids");
  std::vector<Id> out;
  for (const Json& g : list) {
    if (g.is_number_integer()) {
      KR_ASSIGN(auto group, store.GetGroup(g.get<Id>()));
      out.push_back(group.id);
    } else if (g.is_string()) {
      KR_ASSIGN(auto group, store.FindGroup(g.get<std::string>()));
      if (!group) return Invalid("groups", "no agents group named '" + g.get<std::string>() + "'");
      out.push_back(group->id);
    } else {
      return Invalid("groups", "must be a list of group names or ids");
    }
  }
  return out;
}

// Agents: list, authorize, disable, delete.
void RegisterAgentRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  auto& engine = ctx.engine;
  r.Get("/api/v1/agents", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          std::optional<bool> authorized;
          if (auto a = req.Query("authorized"); !a.empty()) authorized = (a == "true" || a == "1");
          auto agents = store.ListAgents(authorized);
          return Reply(agents, [](const auto& v) {
            Json out = Json::array();
            for (const auto& a : v) out.push_back(ToJson(a));
            return out;
          });
        }));
  r.Get("/api/v1/agents/{id}", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          return Reply(store.GetAgent(*id), [](const auto& v) { return ToJson(v); });
        }));
  r.Patch("/api/v1/agents/{id}",
          Authed(
              ctx,
              [&store, &engine](http::Request& req, const auth::Principal&) {
                auto id = IdParam(req, "id");
                if (!id) return ErrorResponse(id.error());
                auto body = ParseObject(req);
                if (!body) return ErrorResponse(body.error());
                auto agent = store.GetAgent(*id);
                if (!agent) return ErrorResponse(agent.error());
                auto disabled = OptionalBool(*body, "disabled", agent->disabled);
                auto authorized = OptionalBool(*body, "authorized", agent->authorized);
                if (!disabled) return ErrorResponse(disabled.error());
                if (!authorized) return ErrorResponse(authorized.error());
                if (body->contains("groups")) {
                  auto ids = GroupIds(store, (*body)["groups"]);
                  if (!ids) return ErrorResponse(ids.error());
                  if (auto st = store.SetAgentGroups(*id, *ids); !st)
                    return ErrorResponse(st.error());
                }
                if (*disabled != agent->disabled) {
                  agent = store.GetAgent(*id);
                  agent->disabled = *disabled;
                  if (auto st = store.SaveAgent(*agent); !st) return ErrorResponse(st.error());
                }
                if (*authorized != agent->authorized)
                  if (auto st = engine.AuthorizeAgent(*id, *authorized); !st)
                    return ErrorResponse(st.error());
                engine.RequestSchedule();
                return Reply(store.GetAgent(*id), [](const auto& v) { return ToJson(v); });
              },
              true));
  r.Delete("/api/v1/agents/{id}",
           Authed(
               ctx,
               [&store, &engine](http::Request& req, const auth::Principal&) {
                 auto id = IdParam(req, "id");
                 if (!id) return ErrorResponse(id.error());
                 auto agent = store.GetAgent(*id);
                 if (!agent) return ErrorResponse(agent.error());
                 // Its job goes back to the queue; the agent's token dies with it (401).
                 auto requeued =
                     engine.RequeueAgentJob(*id, fmt::format("agent {} was deleted", agent->name));
                 if (!requeued) return ErrorResponse(requeued.error());
                 engine.presence().Unpark(*id);
                 auto st = store.DeleteAgent(*id);
                 return st ? JsonResponse(200, Json{{"deleted", *id}}) : ErrorResponse(st.error());
               },
               true));
}

// Agent groups and their deployment, and registration tokens.
// Groups: list, create, read.
void RegisterGroupReadCreateRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  auto& engine = ctx.engine;
  const Clock& clock = ctx.clock;
  r.Get("/api/v1/groups", Authed(ctx, [&store](http::Request&, const auth::Principal&) {
          auto groups = store.ListGroups();
          return Reply(groups, [](const auto& v) {
            Json out = Json::array();
            for (const auto& g : v) out.push_back(ToJson(g));
            return out;
          });
        }));
  r.Post("/api/v1/groups",
         Authed(
             ctx,
             [&store, &engine, &clock](http::Request& req, const auth::Principal&) {
               auto body = ParseObject(req);
               if (!body) return ErrorResponse(body.error());
               auto name = RequiredString(*body, "name");
               if (!name) return ErrorResponse(name.error());
               AgentsGroup g;
               g.name = *name;
               g.deployment = body->value("deployment", Json{{"method", "manual"}});
               if (auto st = CheckDeployment(g.deployment); !st) return ErrorResponse(st.error());
               if (auto dup = store.FindGroup(*name); dup && *dup)
                 return ErrorResponse(Error{
                     ErrorCode::kConflict, "an agents group named '" + *name + "' exists", "name"});
               g.created = clock.Now();
               auto created = store.CreateGroup(g);
               if (created) engine.NotifyExternalChange("group", created->id);
               return Reply(
                   created, [](const auto& v) { return ToJson(v); }, 201);
             },
             true));
  r.Get("/api/v1/groups/{id}", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          auto g = store.GetGroup(*id);
          if (!g) return ErrorResponse(g.error());
          Json j = ToJson(*g);
          j["agents"] = Json::array();
          if (auto agents = store.ListAgents(std::nullopt))
            for (const auto& a : *agents)
              if (std::find(a.group_ids.begin(), a.group_ids.end(), *id) != a.group_ids.end())
                j["agents"].push_back(ToJson(a));
          return JsonResponse(200, j);
        }));
}

// A group: update (its deployment) and delete.
void RegisterGroupUpdateDeleteRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  auto& engine = ctx.engine;
  r.Put("/api/v1/groups/{id}",
        Authed(
            ctx,
            [&store, &engine](http::Request& req, const auth::Principal&) {
              auto id = IdParam(req, "id");
              if (!id) return ErrorResponse(id.error());
              auto body = ParseObject(req);
              if (!body) return ErrorResponse(body.error());
              auto g = store.GetGroup(*id);
              if (!g) return ErrorResponse(g.error());
              auto name = OptionalString(*body, "name", g->name);
              if (!name) return ErrorResponse(name.error());
              if (g->name == "all" && *name != "all")
                return ErrorResponse(
                    Error{ErrorCode::kConflict, "group 'all' cannot be renamed", "name"});
              g->name = *name;
              if (body->contains("deployment")) {
                if (auto st = CheckDeployment((*body)["deployment"]); !st)
                  return ErrorResponse(st.error());
                g->deployment = (*body)["deployment"];
              }
              if (auto st = store.SaveGroup(*g); !st) return ErrorResponse(st.error());
              engine.NotifyExternalChange("group", g->id);
              return JsonResponse(200, ToJson(*g));
            },
            true));
  r.Delete("/api/v1/groups/{id}",
           Authed(
               ctx,
               [&store](http::Request& req, const auth::Principal&) {
                 auto id = IdParam(req, "id");
                 if (!id) return ErrorResponse(id.error());
                 auto g = store.GetGroup(*id);
                 if (!g) return ErrorResponse(g.error());
                 if (g->name == "all")
                   return ErrorResponse(Error{ErrorCode::kConflict, "group 'all' is built in"});
                 auto st = store.DeleteGroup(*id);
                 return st ? JsonResponse(200, Json{{"deleted", *id}}) : ErrorResponse(st.error());
               },
               true));
}

// One-time registration tokens.
void RegisterTokenRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  auto& engine = ctx.engine;
  r.Post("/api/v1/registration-tokens",
         Authed(
             ctx,
             [&store, &engine](http::Request& req, const auth::Principal&) {
               auto body = ParseObject(req);
               if (!body) return ErrorResponse(body.error());
               auto group_name = OptionalString(*body, "group", "all");
               if (!group_name) return ErrorResponse(group_name.error());
               auto group = store.FindGroup(*group_name);
               if (!group || !*group)
                 return ErrorResponse(Error{ErrorCode::kInvalid, "no such agents group", "group"});
               Json lifetime = body->value("lifetime", Json(3600));
               if (!lifetime.is_number_integer() || lifetime.get<int64_t>() <= 0)
                 return ErrorResponse(
                     Error{ErrorCode::kInvalid, "must be a number of seconds", "lifetime"});
               auto token =
                   engine.MintRegistrationToken((*group)->id, lifetime.get<int64_t>() * 1000);
               return Reply(
                   token,
                   [](const auto& v) {
                     return Json{{"token", v}};
                   },
                   201);
             },
             true));
}

void RegisterGroupRoutes(http::Router& r, ApiContext ctx) {
  RegisterGroupReadCreateRoutes(r, ctx);
  RegisterGroupUpdateDeleteRoutes(r, ctx);
  RegisterTokenRoutes(r, ctx);
}

}  // namespace

void RegisterAgentsRoutes(http::Router& r, ApiContext ctx) {
  RegisterAgentRoutes(r, ctx);
  RegisterGroupRoutes(r, ctx);
}

}  // namespace kraken::api
