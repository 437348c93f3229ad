// The agent protocol (/agent/v1): see docs/agent-protocol.md.
#include <fmt/format.h>

#include <optional>

#include "api/api.h"
#include "api/json_io.h"
#include "core/protocol_limits.h"
#include "core/rate_limiter.h"
#include "http/error_response.h"

namespace kraken::api {
namespace {

Json DispatchJson(const exec::Dispatch& d) {
  Json job = {{"id", d.job.id},         {"name", d.job.name},     {"run_id", d.job.run_id},
              {"timeout", d.job.timeout}, {"system", d.job.system}, {"executor", d.job.executor},
              {"attempt", d.job.attempt}};
  if (!d.step) return Json{{"job", job}, {"step", nullptr}, {"done", true}};
  Json step = {{"index", d.step->index},
               {"tool", d.step->tool},
               {"name", d.step->name},
               {"fields", d.fields ? *d.fields : d.step->fields}};
  if (!d.secrets.empty()) step["secrets"] = d.secrets;
  return Json{{"job", job}, {"step", step}, {"env", d.env}, {"done", false}};
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
    responder->Send(JsonResponse(200, DispatchJson(**d)));
    return true;
  }

  void Park() {
    auto self = shared_from_this();
    auto fresh = ctx.store.GetAgent(agent.id, false);
    if (fresh) agent = *fresh;
    ticket = ctx.engine.presence().Park(exec::WaitingAgent{
        agent.id, agent.group_ids, agent.system, agent.machine_id.has_value(),
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
    responder->Send(JsonResponse(200, Json{{"job", nullptr},
                                           {"authorized", a ? a->authorized : false}}));
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

void RegisterAgentApi(http::Router& r, ApiContext ctx) {
  auto& engine = ctx.engine;
  auto unvouched = std::make_shared<RateLimiter>(RealClock::Instance(), kUnvouchedRegistrationBurst,
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
    return JsonResponse(201, Json{{"agent_id", reg->agent.id},
                                  {"token", reg->token},
                                  {"authorized", reg->agent.authorized},
                                  {"poll_wait_ms", engine.options().poll_wait}});
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
    return JsonResponse(200, Json{{"agent_id", agent->id},
                                  {"authorized", agent->authorized},
                                  {"poll_wait_ms", engine.options().poll_wait}});
  });

  r.Add("POST", "/agent/v1/poll",
        http::DeferredHandler([ctx](http::Request& req,
                                    std::shared_ptr<http::Responder> responder) mutable {
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

  r.Post("/agent/v1/jobs/{id}/steps/{idx}/finish", [ctx, &engine](http::Request& req) mutable {
    auto agent = AgentOf(ctx, req);
    if (!agent) return ErrorResponse(agent.error());
    auto id = IdParam(req, "id");
    if (!id) return ErrorResponse(id.error());
    auto body = ParseObject(req);
    if (!body) return ErrorResponse(body.error());
    exec::StepReport report;
    auto status = RequiredString(*body, "status");
    if (!status) return ErrorResponse(status.error());
    auto parsed = ParseStepStatus(*status);
    if (!parsed || (*parsed != StepStatus::kDone && *parsed != StepStatus::kError))
      return ErrorResponse(Error{ErrorCode::kInvalid, "must be done or error", "status"});
    report.status = *parsed;
    if (auto rc = body->find("retcode"); rc != body->end() && rc->is_number_integer())
      report.retcode = rc->get<int64_t>();
    auto reason = OptionalString(*body, "reason", "");
    auto message = OptionalString(*body, "message", "");
    if (!reason) return ErrorResponse(reason.error());
    if (!message) return ErrorResponse(message.error());
    report.reason = *reason;
    report.message = *message;
    auto idx = ToInteger(req.params["idx"]);
    if (!idx || *idx < 0) return ErrorResponse(Error{ErrorCode::kInvalid, "not a step index", "idx"});
    auto next = engine.FinishStep(agent->id, *id, *idx, report);
    if (!next) return ErrorResponse(next.error());
    return JsonResponse(200, DispatchJson(*next));
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
    auto step = body->find("step");
    auto seq = body->find("seq");
    auto data = body->find("data");
    if (step == body->end() || !step->is_number_integer())
      return ErrorResponse(Error{ErrorCode::kInvalid, "must be a step index", "step"});
    if (seq == body->end() || !seq->is_number_integer())
      return ErrorResponse(Error{ErrorCode::kInvalid, "must be a sequence number", "seq"});
    if (data == body->end() || !data->is_string())
      return ErrorResponse(Error{ErrorCode::kInvalid, "must be a string", "data"});
    auto st = engine.AppendLog(agent->id, *id, step->get<int64_t>(), seq->get<int64_t>(),
                               data->get<std::string>());
    if (!st) return ErrorResponse(st.error());
    return JsonResponse(200, Json{{"ack", seq->get<int64_t>()}});
  });

  r.SetBodyLimit("POST", "/agent/v1/jobs/{id}/logs", AgentBodyLimit(ctx, kMaxLogBatchBytes));

  r.Add("POST", "/agent/v1/jobs/{id}/watch",
        http::DeferredHandler([ctx](http::Request& req,
                                    std::shared_ptr<http::Responder> responder) mutable {
          auto agent = AgentOf(ctx, req);
          if (!agent) return responder->Send(ErrorResponse(agent.error()));
          auto id = IdParam(req, "id");
          if (!id) return responder->Send(ErrorResponse(id.error()));
          auto wait = WaitMillis(req, 10'000);
          if (!wait) return responder->Send(ErrorResponse(wait.error()));
          ctx.engine.Touch(agent->id);
          auto abandoned = ctx.engine.JobAbandoned(agent->id, *id);
          if (!abandoned) return responder->Send(ErrorResponse(abandoned.error()));
          if (*abandoned) return responder->Send(JsonResponse(200, Json{{"cancel", true}}));
          ctx.hub.AddWatch(*id, responder);
          Id agent_id = agent->id;
          auto timer = std::make_shared<std::unique_ptr<http::Loop::Timer>>();
          *timer = ctx.loop.After(std::chrono::milliseconds(*wait),
                                  [responder, timer, ctx, agent_id]() mutable {
                                    if (responder->open()) {
                                      ctx.engine.Touch(agent_id);
                                      responder->Send(JsonResponse(200, Json{{"cancel", false}}));
                                    }
                                    timer->reset();  // the pending wait holds `timer` alive
                                  });
        }));
}

}  // namespace kraken::api
