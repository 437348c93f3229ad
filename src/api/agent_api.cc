// The agent protocol (/agent/v1): see docs/agent-protocol.md.
#include <fmt/format.h>

#include <optional>

#include "api/api.h"
#include "api/json_io.h"
#include "core/protocol_limits.h"
#include "core/rate_limiter.h"
#include "http/error_response.h"
#include "protocol/agent_messages.h"

namespace kraken::api {
namespace {

Json DispatchJson(const exec::Dispatch& d, const Agent& agent) {
  protocol::JobDispatch wire;
  wire.job_id = d.job.id;
  wire.job_name = d.job.name;
  wire.run_id = d.job.run_id;
  wire.timeout_seconds = d.job.timeout;
  wire.system = d.job.system;
  wire.executor = d.job.executor;
  if (d.job.executor != "local" && !agent.machine_id) wire.container = d.job.system;
  wire.attempt = d.job.attempt;
  if (d.step) {
    protocol::StepDispatch& step = wire.step.emplace();
    step.index = d.step->index;
    step.tool = d.step->tool;
    step.name = d.step->name;
    step.fields = d.fields ? *d.fields : d.step->fields;
    step.secrets = d.secrets;
    wire.env = d.env;
  }
  return protocol::ToJson(wire);
}

// Whether an agent installed by hand said it has a container engine. host_info is the
// agent's to write: anything but `"docker": true` means no.
bool RunsContainers(const Agent& agent) {
  if (agent.machine_id || !agent.host_info.is_object()) return false;
  auto it = agent.host_info.find("docker");
  return it != agent.host_info.end() && *it == true;
}

// An agent request's identity: its bearer token.
Result<Agent> AgentOf(ApiContext& ctx, const http::Request& req) {
  std::string token = BearerToken(req);
  if (token.empty())
    return Fail(ErrorCode::kUnauthorized, "agent token required (Authorization: Bearer ...)");
  return ctx.engine.AuthenticateAgent(token);
}

// Registration needs no token: a body past the limit is refused before it is parsed.
std::optional<http::Response> RefuseLargeRegistration(const http::Request& req) {
  if (req.body.size() <= kMaxRegistrationBytes) return std::nullopt;
  return TooLarge(
      fmt::format("a registration may be at most {} bytes; this one is {} (host_info "
                  "may hold at most {} bytes of JSON)",
                  kMaxRegistrationBytes, req.body.size(), kMaxHostInfoBytes));
}

Result<int64_t> WaitMillis(const http::Request& req, int64_t fallback) {
  return QueryInteger(req, "wait", fallback, 0, 120'000, "must be 0 to 120000 milliseconds");
}

// One parked poll: answered by a dispatch, by a wake-up with nothing to do after the wait,
// or by its timer.
struct ParkedPoll : std::enable_shared_from_this<ParkedPoll> {
  ApiContext ctx;
  Agent agent;
  std::shared_ptr<http::Responder> responder;
  std::unique_ptr<http::Loop::Timer> timer;
  uint64_t ticket = 0;  // this poll's place in Presence

  ParkedPoll(ApiContext c, Agent a, std::shared_ptr<http::Responder> r)
      : ctx(c), agent(std::move(a)), responder(std::move(r)) {}

  // Answers if there is work (or an error); returns false when the poll should keep waiting.
  bool TryAnswer() {
    if (!responder->open()) return true;
    auto d = ctx.engine.Poll(agent.id);
    if (!d) {
      responder->Send(ErrorResponse(d.error()));
      return true;
    }
    if (!*d) return false;
    responder->Send(JsonResponse(200, DispatchJson(**d, agent)));
    return true;
  }

  void Park() {
    auto self = shared_from_this();
    auto fresh = ctx.store.GetAgent(agent.id);  // host_info says whether it runs containers
    if (fresh) agent = *fresh;
    ticket = ctx.engine.presence().Park(exec::WaitingAgent{
        agent.id, agent.group_ids, agent.system, agent.machine_id.has_value(),
        RunsContainers(agent),
        [self] {
          if (self->TryAnswer()) {
            self->timer.reset();
          } else {
            self->Park();  // woken with nothing to do (e.g. just authorized): keep waiting
          }
        },
        [self] { return self->responder->open(); }});
  }

  void Finish() {
    if (!responder->open()) return;
    auto a = ctx.store.GetAgent(agent.id, false);
    responder->Send(JsonResponse(200, protocol::IdlePollAnswer(a ? a->authorized : false)));
  }
};

// Registrations without a registration token, per client address: each adds an agent an
// admin has to review, so a burst of them is refused with 429.
constexpr int kUnvouchedRegistrationBurst = 30;
constexpr Millis kUnvouchedRegistrationInterval = 10'000;

}  // namespace

http::BodyLimit AgentBodyLimit(ApiContext ctx, size_t max_bytes) {
  return {max_bytes, [ctx](const http::Request& req) mutable -> std::optional<http::Response> {
            auto agent = AgentOf(ctx, req);
            if (!agent) return ErrorResponse(agent.error());
            return std::nullopt;
          }};
}

namespace {

// Registration (with or without a one-time token) and an agent's hello at start.
void RegisterIdentityRoutes(http::Router& r, ApiContext ctx) {
  auto& engine = ctx.engine;
  auto unvouched = std::make_shared<RateLimiter>(ctx.clock, kUnvouchedRegistrationBurst,
                                                 kUnvouchedRegistrationInterval);

  r.Post("/agent/v1/register", [ctx, &engine, unvouched](http::Request& req) {
    if (auto refused = RefuseLargeRegistration(req)) return *refused;
    auto body = ParseObject(req);
    if (!body) return ErrorResponse(body.error());
    auto name = RequiredString(*body, "name");
    if (!name) return ErrorResponse(name.error());
    auto reg_token = OptionalString(*body, "registration_token", "");
    if (!reg_token) return ErrorResponse(reg_token.error());
    if (reg_token->empty()) {
      if (Millis wait = unvouched->Take(req.remote_address)) {
        return http::RetryLater(
            429, "rate_limited",
            "too many registrations without a registration token from this address",
            std::chrono::milliseconds(wait));
      }
    }
    auto reg = engine.RegisterAgent(*name, body->value("host_info", Json::object()), *reg_token);
    if (!reg) return ErrorResponse(reg.error());
    return JsonResponse(
        201, protocol::ToJson(protocol::Identity{reg->agent.id, reg->token, reg->agent.authorized,
                                                 engine.options().poll_wait}));
  });

  r.Post("/agent/v1/hello", [ctx, &engine](http::Request& req) mutable {
    if (auto refused = RefuseLargeRegistration(req)) return *refused;
    auto agent = AgentOf(ctx, req);
    if (!agent) return ErrorResponse(agent.error());
    auto body = ParseObject(req);
    if (!body) return ErrorResponse(body.error());
    if (body->contains("host_info"))
      if (auto st = engine.UpdateHostInfo(agent->id, (*body)["host_info"]); !st)
        return ErrorResponse(st.error());
    return JsonResponse(200, protocol::ToJson(protocol::Identity{agent->id, "", agent->authorized,
                                                                 engine.options().poll_wait}));
  });
}

// The long-poll an idle agent waits for work in.
void RegisterPollRoute(http::Router& r, ApiContext ctx) {
  r.Add("POST", "/agent/v1/poll",
        http::DeferredHandler(
            [ctx](http::Request& req, std::shared_ptr<http::Responder> responder) mutable {
              auto agent = AgentOf(ctx, req);
              if (!agent) return responder->Send(ErrorResponse(agent.error()));
              auto wait = WaitMillis(req, ctx.engine.options().poll_wait);
              if (!wait) return responder->Send(ErrorResponse(wait.error()));
              auto poll = std::make_shared<ParkedPoll>(ctx, *agent, responder);
              if (poll->TryAnswer()) return;
              if (*wait == 0) return poll->Finish();
              poll->Park();
              std::weak_ptr<ParkedPoll> weak = poll;
              poll->timer = ctx.loop.After(std::chrono::milliseconds(*wait), [weak, ctx]() mutable {
                auto p = weak.lock();
                if (!p) return;
                // Unpark only if this poll is still the one parked for the agent: a newer poll
                // (the agent came back after this one's connection closed) stays parked.
                ctx.engine.presence().Unpark(p->agent.id, p->ticket);
                if (!p->responder->open()) return;  // the agent went away: no sign of life
                ctx.engine.Touch(p->agent.id);
                p->Finish();
              });
            }));
}

// A step's end (answered with the next step) and its log.
void RegisterStepRoutes(http::Router& r, ApiContext ctx) {
  auto& engine = ctx.engine;
  r.Post("/agent/v1/jobs/{id}/steps/{idx}/finish", [ctx, &engine](http::Request& req) mutable {
    auto agent = AgentOf(ctx, req);
    if (!agent) return ErrorResponse(agent.error());
    auto id = IdParam(req, "id");
    if (!id) return ErrorResponse(id.error());
    auto body = ParseObject(req);
    if (!body) return ErrorResponse(body.error());
    auto wire = protocol::ParseStepReport(*body);
    if (!wire) return ErrorResponse(wire.error());
    exec::StepReport report;
    report.status = wire->ok ? StepStatus::kDone : StepStatus::kError;
    report.retcode = wire->retcode;
    report.reason = std::move(wire->reason);
    report.message = std::move(wire->message);
    auto idx = ToInteger(req.params["idx"]);
    if (!idx || *idx < 0)
      return ErrorResponse(Error{ErrorCode::kInvalid, "not a step index", "idx"});
    auto next = engine.FinishStep(agent->id, *id, *idx, report);
    if (!next) return ErrorResponse(next.error());
    return JsonResponse(200, DispatchJson(*next, *agent));
  });

  r.Post("/agent/v1/jobs/{id}/logs", [ctx, &engine](http::Request& req) mutable {
    // Refused before anything is parsed or looked up.
    if (req.body.size() > kMaxLogBatchBytes)
      return TooLarge(
          fmt::format("a log batch may be at most {} bytes; this one is {}: send smaller batches",
                      kMaxLogBatchBytes, req.body.size()));
    auto agent = AgentOf(ctx, req);
    if (!agent) return ErrorResponse(agent.error());
    auto id = IdParam(req, "id");
    if (!id) return ErrorResponse(id.error());
    auto body = ParseObject(req);
    if (!body) return ErrorResponse(body.error());
    auto batch = protocol::ParseLogBatch(*body);
    if (!batch) return ErrorResponse(batch.error());
    auto st = engine.AppendLog(agent->id, *id, batch->step, batch->seq, std::move(batch->data));
    if (!st) return ErrorResponse(st.error());
    return JsonResponse(200, Json{{"ack", batch->seq}});
  });

  r.SetBodyLimit("POST", "/agent/v1/jobs/{id}/logs", AgentBodyLimit(ctx, kMaxLogBatchBytes));
}

// The long-poll a busy agent watches its job with: answered at once when the job is
// cancelled or no longer the agent's.
void RegisterWatchRoute(http::Router& r, ApiContext ctx) {
  r.Add("POST", "/agent/v1/jobs/{id}/watch",
        http::DeferredHandler(
            [ctx](http::Request& req, std::shared_ptr<http::Responder> responder) mutable {
              auto agent = AgentOf(ctx, req);
              if (!agent) return responder->Send(ErrorResponse(agent.error()));
              auto id = IdParam(req, "id");
              if (!id) return responder->Send(ErrorResponse(id.error()));
              auto wait = WaitMillis(req, 10'000);
              if (!wait) return responder->Send(ErrorResponse(wait.error()));
              ctx.engine.Touch(agent->id);
              auto abandoned = ctx.engine.JobAbandoned(agent->id, *id);
              if (!abandoned) return responder->Send(ErrorResponse(abandoned.error()));
              if (*abandoned)
                return responder->Send(JsonResponse(200, protocol::WatchAnswer(true)));
              ctx.hub.AddWatch(*id, responder);
              Id agent_id = agent->id;
              auto timer = std::make_shared<std::unique_ptr<http::Loop::Timer>>();
              *timer = ctx.loop.After(
                  std::chrono::milliseconds(*wait), [responder, timer, ctx, agent_id]() mutable {
                    if (responder->open()) {
                      ctx.engine.Touch(agent_id);
                      responder->Send(JsonResponse(200, protocol::WatchAnswer(false)));
                    }
                    timer->reset();  // the pending wait holds `timer` alive
                  });
            }));
}

}  // namespace

void RegisterAgentApi(http::Router& r, ApiContext ctx) {
  RegisterIdentityRoutes(r, ctx);
  RegisterPollRoute(r, ctx);
  RegisterStepRoutes(r, ctx);
  RegisterWatchRoute(r, ctx);
}

}  // namespace kraken::api
