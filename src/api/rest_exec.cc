// REST API: flows, runs, jobs, steps and logs.
#include <fmt/format.h>

#include "api/json_io.h"
#include "api/results_api.h"
#include "api/routes.h"
#include "exec/job_attempts.h"

namespace kraken::api {
namespace {

Json JobWithSteps(store::Store& store, const Job& job) {
  Json j = ToJson(job);
  j["steps"] = Json::array();
  if (auto steps = store.ListSteps(job.id))
    for (const auto& s : *steps) j["steps"].push_back(ToJson(s));
  // Earlier attempts taken back from their agent (agent lost, machine preempted).
  j["attempts"] = Json::array();
  if (auto attempts = exec::JobAttemptStore(store.db()).List(job.id))
    for (const auto& a : *attempts) j["attempts"].push_back(exec::ToJson(a));
  return j;
}

Json RunWithJobs(store::Store& store, const kraken::Run& run) {
  Json j = ToJson(run);
  j["tests"] = RunTestCounters(store.db(), run.id);
  j["jobs"] = Json::array();
  if (auto jobs = store.ListJobs(run.id, true))
    for (const auto& job : *jobs) j["jobs"].push_back(ToJson(job));
  return j;
}

Json FlowWithRuns(store::Store& store, const Flow& flow) {
  Json j = ToJson(flow);
  j["runs"] = Json::array();
  if (auto runs = store.ListRuns(flow.id))
    for (const auto& r : *runs) {
      Json rj = ToJson(r);
      rj["tests"] = RunTestCounters(store.db(), r.id);
      j["runs"].push_back(std::move(rj));
    }
  return j;
}

// Serves a job's or a step's log: whole, or from a byte offset, or followed live.
void ServeLog(ApiContext ctx, http::Router& r, const std::string& pattern, bool per_step) {
  r.Add("GET", pattern,
        http::StreamHandler(
            [ctx, per_step](http::Request& req, std::shared_ptr<http::StreamWriter> out) {
              auto fail = [&](const Error& e) {
                out->SetStatus(HttpStatusOf(e.code));
                out->SetContentType("application/json");
                out->Write(ErrorResponse(e).body);
                out->Close();
              };
              auto who = ctx.auth.Authenticate(RequestToken(req));
              if (!who) return fail(who.error());
              auto id = IdParam(req, "id");
              if (!id) return fail(id.error());
              auto job = ctx.store.GetJob(*id);
              if (!job) return fail(job.error());
              int64_t step = -1;
              if (per_step) {
                auto idx = ToInteger(req.params["idx"]);
                if (!idx || *idx < 0)
                  return fail(Error{ErrorCode::kInvalid, "not a step index", "idx"});
                step = *idx;
              }
              auto offset_or =
                  QueryInteger(req, "offset", 0, 0, INT64_MAX, "must be a byte offset (0 or more)");
              if (!offset_or) return fail(offset_or.error());
              const int64_t offset = *offset_or;
              out->SetContentType("text/plain; charset=utf-8");
              if (req.Query("follow") == "1" || req.Query("follow") == "true") {
                ctx.hub.Follow(*id, step, static_cast<size_t>(offset), out);
                return;
              }
              auto chunks = ctx.store.ReadLog(*id, step);
              if (!chunks) return fail(chunks.error());
              std::string text = LogText(*chunks);
              out->Write(static_cast<size_t>(offset) < text.size() ? text.substr(offset) : "");
              out->Close();
            }));
}

// Flows: started by hand, listed per branch, and their runs.
void RegisterFlowRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  auto& engine = ctx.engine;
  r.Post("/api/v1/branches/{id}/flows",
         Authed(ctx, [&engine, &store](http::Request& req, const auth::Principal&) {
           auto id = IdParam(req, "id");
           if (!id) return ErrorResponse(id.error());
           auto body = ParseObject(req);
           if (!body) return ErrorResponse(body.error());
           auto kind_text = OptionalString(*body, "kind", "ci");
           if (!kind_text) return ErrorResponse(kind_text.error());
           auto kind = ParseFlowKind(*kind_text);
           if (!kind) return ErrorResponse(Error{ErrorCode::kInvalid, "must be ci or dev", "kind"});
           Json args = body->value("args", Json::object());
           auto flow = engine.StartFlow(*id, *kind, args);
           return Reply(
               flow, [&store](const auto& v) { return FlowWithRuns(store, v); }, 201);
         }));
  r.Get("/api/v1/branches/{id}/flows",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto b = store.GetBranch(*id); !b) return ErrorResponse(b.error());
          std::optional<FlowKind> kind;
          if (auto k = req.Query("kind"); !k.empty()) {
            kind = ParseFlowKind(k);
            if (!kind)
              return ErrorResponse(Error{ErrorCode::kInvalid, "must be ci or dev", "kind"});
          }
          // As before: a limit out of 1..500 is brought into it.
          auto limit_or =
              QueryInteger(req, "limit", 20, INT64_MIN, INT64_MAX, "must be a whole number");
          auto offset_or = QueryInteger(req, "offset", 0, 0, INT64_MAX, "must be 0 or more");
          if (!limit_or) return ErrorResponse(limit_or.error());
          if (!offset_or) return ErrorResponse(offset_or.error());
          int64_t limit = std::clamp<int64_t>(*limit_or, 1, 500), offset = *offset_or;
          auto flows = store.ListFlows(*id, kind, limit, offset);
          auto total = store.CountFlows(*id, kind);
          if (!flows) return ErrorResponse(flows.error());
          Json items = Json::array();
          for (const auto& f : *flows) items.push_back(FlowWithRuns(store, f));
          return JsonResponse(200, Json{{"items", items},
                                        {"total", total.value_or(0)},
                                        {"limit", limit},
                                        {"offset", offset}});
        }));
  r.Get("/api/v1/flows/{id}", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          auto f = store.GetFlow(*id);
          return Reply(f, [&store](const auto& v) { return FlowWithRuns(store, v); });
        }));
  r.Get("/api/v1/flows/{id}/runs",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto f = store.GetFlow(*id); !f) return ErrorResponse(f.error());
          auto runs = store.ListRuns(*id);
          return Reply(runs, [&store](const auto& v) {
            Json out = Json::array();
            for (const auto& run : v) out.push_back(RunWithJobs(store, run));
            return out;
          });
        }));
  r.Post("/api/v1/flows/{id}/runs",
         Authed(ctx, [&engine, &store](http::Request& req, const auth::Principal&) {
           auto id = IdParam(req, "id");
           if (!id) return ErrorResponse(id.error());
           auto body = ParseObject(req);
           if (!body) return ErrorResponse(body.error());
           auto stage = body->find("stage_id");
           if (stage == body->end() || !stage->is_number_integer())
             return ErrorResponse(Error{ErrorCode::kInvalid, "must be a stage id", "stage_id"});
           auto run =
               engine.StartRun(*id, stage->get<int64_t>(), body->value("args", Json::object()));
           return Reply(
               run, [&store](const auto& v) { return RunWithJobs(store, v); }, 201);
         }));
}

// Runs: read, cancel, rerun.
void RegisterRunRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  auto& engine = ctx.engine;
  r.Get("/api/v1/runs/{id}", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          auto run = store.GetRun(*id);
          return Reply(run, [&store](const auto& v) { return RunWithJobs(store, v); });
        }));
  r.Get("/api/v1/runs/{id}/jobs", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto run = store.GetRun(*id); !run) return ErrorResponse(run.error());
          bool covered = req.Query("include_covered", "true") != "false";
          auto jobs = store.ListJobs(*id, covered);
          return Reply(jobs, [](const auto& v) {
            Json out = Json::array();
            for (const auto& j : v) out.push_back(ToJson(j));
            return out;
          });
        }));
  r.Post("/api/v1/runs/{id}/cancel",
         Authed(ctx, [&engine, &store](http::Request& req, const auth::Principal&) {
           auto id = IdParam(req, "id");
           if (!id) return ErrorResponse(id.error());
           auto st = engine.CancelRun(*id);
           if (!st) return ErrorResponse(st.error());
           return Reply(store.GetRun(*id),
                        [&store](const auto& v) { return RunWithJobs(store, v); });
         }));
  r.Post("/api/v1/runs/{id}/rerun",
         Authed(ctx, [&engine, &store](http::Request& req, const auth::Principal&) {
           auto id = IdParam(req, "id");
           if (!id) return ErrorResponse(id.error());
           auto run = engine.RerunRun(*id);
           return Reply(run, [&store](const auto& v) { return RunWithJobs(store, v); });
         }));
}

// Jobs: read, cancel, rerun.
void RegisterJobRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  auto& engine = ctx.engine;
  r.Get("/api/v1/jobs/{id}", Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          auto job = store.GetJob(*id);
          return Reply(job, [&store](const auto& v) { return JobWithSteps(store, v); });
        }));
  r.Get("/api/v1/jobs/{id}/steps",
        Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (auto job = store.GetJob(*id); !job) return ErrorResponse(job.error());
          auto steps = store.ListSteps(*id);
          return Reply(steps, [](const auto& v) {
            Json out = Json::array();
            for (const auto& s : v) out.push_back(ToJson(s));
            return out;
          });
        }));
  r.Post("/api/v1/jobs/{id}/cancel",
         Authed(ctx, [&engine, &store](http::Request& req, const auth::Principal&) {
           auto id = IdParam(req, "id");
           if (!id) return ErrorResponse(id.error());
           auto st = engine.CancelJob(*id);
           if (!st) return ErrorResponse(st.error());
           return Reply(store.GetJob(*id),
                        [&store](const auto& v) { return JobWithSteps(store, v); });
         }));
  r.Post("/api/v1/jobs/{id}/rerun",
         Authed(ctx, [&engine, &store](http::Request& req, const auth::Principal&) {
           auto id = IdParam(req, "id");
           if (!id) return ErrorResponse(id.error());
           auto job = engine.RerunJob(*id);
           return Reply(
               job, [&store](const auto& v) { return JobWithSteps(store, v); }, 201);
         }));
}

// Live events (SSE) and job logs.
void RegisterEventRoutes(http::Router& r, ApiContext ctx) {
  r.Add("GET", "/api/v1/events",
        http::StreamHandler([ctx](http::Request& req, std::shared_ptr<http::StreamWriter> out) {
          auto who = ctx.auth.Authenticate(RequestToken(req));
          if (!who) {
            out->SetStatus(HttpStatusOf(who.error().code));
            out->SetContentType("application/json");
            out->Write(ErrorResponse(who.error()).body);
            out->Close();
            return;
          }
          ctx.hub.AddEventStream(out);
        }));
  ServeLog(ctx, r, "/api/v1/jobs/{id}/log", false);
  ServeLog(ctx, r, "/api/v1/jobs/{id}/steps/{idx}/log", true);
}

}  // namespace

void RegisterExecRoutes(http::Router& r, ApiContext ctx) {
  RegisterFlowRoutes(r, ctx);
  RegisterRunRoutes(r, ctx);
  RegisterJobRoutes(r, ctx);
  RegisterEventRoutes(r, ctx);
}

}  // namespace kraken::api
