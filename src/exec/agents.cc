// The agent side of execution: registration, job and step dispatch, logs and results.
#include <fmt/format.h>

#include <algorithm>

#include "auth/crypto.h"
#include "core/json_limits.h"
#include "core/protocol_limits.h"
#include "exec/engine.h"
#include "exec/job_attempts.h"
#include "exec/trigger_commits.h"
#include "secrets/named_secrets.h"
#include "secrets/project_secrets.h"
#include "secrets/secret_context.h"
#include "workflow/context.h"
#include "workflow/interpolate.h"
#include "workflow/when.h"

namespace kraken::exec {

using store::Transaction;

namespace {

// Whether any string (or key) in `v` holds a #{...} expression.
bool HasExpression(const Json& v) {
  if (v.is_string()) return workflow::HasInterpolation(v.get_ref<const std::string&>());
  if (v.is_array())
    return std::any_of(v.begin(), v.end(), [](const Json& e) { return HasExpression(e); });
  if (v.is_object())
    for (const auto& [k, e] : v.items())
      if (workflow::HasInterpolation(k) || HasExpression(e)) return true;
  return false;
}

// host_info is the agent's to choose, and registration needs no token: keep it small.
Status CheckHostInfo(const Json& host_info) {
  if (!host_info.is_object()) return Invalid("host_info", "must be an object");
  if (JsonDepth(host_info) > kMaxHostInfoDepth)
    return Invalid("host_info", TooDeepMessage(kMaxHostInfoDepth));
  if (size_t size = host_info.dump().size(); size > kMaxHostInfoBytes)
    return Invalid("host_info", fmt::format("is {} bytes of JSON, more than the limit of {}", size,
                                            kMaxHostInfoBytes));
  return {};
}

std::string SystemOf(const Json& host_info) {
  std::string distro = host_info.value("distro_name", "");
  std::string version = host_info.value("distro_version", "");
  if (distro.empty()) return host_info.value("system", "");
  return version.empty() ? distro : distro + "-" + version;
}

}  // namespace

Result<Registration> Engine::RegisterAgent(const std::string& name, const Json& host_info,
                                           const std::string& registration_token) {
  if (name.empty()) return Invalid("name", "an agent needs a name");
  KR_TRY(CheckHostInfo(host_info));
  Transaction tx(store_.db());
  if (registration_token.empty()) {
    KR_ASSIGN(auto count, store_.db().Exec("SELECT COUNT(*) FROM agents WHERE authorized = 0"));
    int64_t waiting = count.rows[0].Int(0);
    if (waiting >= kMaxUnauthorizedAgents)
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("{} agents already wait for authorization, the limit: authorize or "
                              "delete some, or register with a registration token",
                              waiting));
  }
  Agent agent;
  agent.name = name;
  agent.host_info = host_info;
  agent.system = SystemOf(host_info);
  agent.created = agent.last_seen = clock_.Now();
  KR_ASSIGN(auto all, store_.FindGroup("all"));
  if (!registration_token.empty()) {
    KR_ASSIGN(auto reg,
              store_.ConsumeRegistrationToken(auth::HashToken(registration_token), clock_.Now()));
    agent.authorized = true;
    agent.machine_id = reg.machine_id;
    // A machine made for a system (an AMI id, say) runs that system's jobs, whatever
    // distribution its agent reports.
    if (reg.machine_id) {
      std::string made_for = MachineSystem(*reg.machine_id);
      if (!made_for.empty()) agent.system = made_for;
    }
    if (reg.group_id) agent.group_ids.push_back(*reg.group_id);
    if (all && (!reg.group_id || *reg.group_id != all->id)) agent.group_ids.push_back(all->id);
  }
  std::string token = auth::NewToken("kka_");
  KR_ASSIGN(agent, store_.CreateAgent(agent, auth::HashToken(token)));
  KR_TRY(tx.Commit());
  Heard(agent.id);
  NotifyChanged("agent", agent.id);
  return Registration{agent, token};
}

std::string Engine::MachineSystem(Id machine_id) const {
  if (!machine_system_source_) return {};
  std::string system = machine_system_source_(machine_id);
  return system == "any" ? "" : system;
}

Result<Agent> Engine::AuthenticateAgent(const std::string& token) {
  KR_ASSIGN(auto agent, store_.FindAgentByToken(auth::HashToken(token)));
  if (!agent) return Fail(ErrorCode::kUnauthorized, "unknown agent token");
  return *agent;
}

Status Engine::AuthorizeAgent(Id agent_id, bool authorized) {
  Transaction tx(store_.db());
  KR_ASSIGN(auto agent, store_.GetAgent(agent_id));
  agent.authorized = authorized;
  if (authorized) {
    // Like Kraken CI, authorizing puts the agent in group `all`.
    KR_ASSIGN(auto all, store_.FindGroup("all"));
    if (all && std::find(agent.group_ids.begin(), agent.group_ids.end(), all->id) ==
                   agent.group_ids.end()) {
      agent.group_ids.push_back(all->id);
      KR_TRY(store_.SetAgentGroups(agent.id, agent.group_ids));
    }
  }
  // A de-authorized agent is no longer trusted with its job: it goes back to the queue
  // (or ends, with no retries left), and the agent's watch is told to stop.
  std::optional<Id> taken;
  if (!authorized && agent.job_id) {
    KR_ASSIGN(auto job, store_.GetJob(*agent.job_id));
    if (job.state != JobState::kCompleted && job.agent_id == agent.id) {
      KR_TRY(RequeueJob(job, fmt::format("agent {} was de-authorized", agent.name)));
      taken = job.id;
    }
    agent.job_id.reset();
  }
  KR_TRY(store_.SaveAgent(agent));
  KR_TRY(tx.Commit());
  if (taken) NotifyCancelled(*taken, agent_id);
  // Re-evaluate a parked poll: an authorized agent may take jobs now.
  presence_.Wake(agent_id);
  NotifyChanged("agent", agent_id);
  return {};
}

Status Engine::UpdateHostInfo(Id agent_id, const Json& host_info) {
  KR_TRY(CheckHostInfo(host_info));
  KR_ASSIGN(auto agent, store_.GetAgent(agent_id, false));
  agent.host_info = host_info;
  // A machine's agent keeps the system its machine was made for (see RegisterAgent).
  if (!agent.machine_id || MachineSystem(*agent.machine_id).empty())
    agent.system = SystemOf(host_info);
  agent.last_seen = clock_.Now();
  agent.lost = false;
  Heard(agent_id);
  return store_.SaveAgent(agent);
}

void Engine::Touch(Id agent_id) {
  Heard(agent_id);
  auto was_lost = store_.TouchAgent(agent_id, clock_.Now());
  if (was_lost && *was_lost) NotifyChanged("agent", agent_id);
}

Result<std::string> Engine::MintRegistrationToken(std::optional<Id> group_id, Millis lifetime,
                                                  std::optional<Id> machine_id) {
  std::string token = auth::NewToken("kkr_");
  Millis now = clock_.Now();
  KR_TRY(store_.CreateRegistrationToken(auth::HashToken(token), group_id, machine_id,
                                        lifetime ? now + lifetime : 0, now));
  return token;
}

Result<std::optional<Dispatch>> Engine::Poll(Id agent_id) {
  Transaction tx(store_.db());
  KR_ASSIGN(auto agent, store_.GetAgent(agent_id, false));
  KR_ASSIGN(bool was_lost, store_.TouchAgent(agent_id, clock_.Now()));
  Heard(agent_id);
  agent.last_seen = clock_.Now();
  agent.lost = false;
  std::optional<Dispatch> out;
  if (agent.job_id && agent.authorized) {
    KR_ASSIGN(auto job, store_.GetJob(*agent.job_id));
    if (job.state == JobState::kAssigned && job.agent_id == agent_id) {
      // The agent polls while it should be running this job: it lost it (restarted).
      KR_TRY(RequeueJob(job, fmt::format("agent {} restarted during the job", agent.name)));
      agent.job_id.reset();
    } else if (job.state == JobState::kQueued && job.agent_id == agent_id) {
      job.state = JobState::kAssigned;
      job.started = clock_.Now();
      job_started_[job.id] = clock_.Monotonic();
      job.wait_reason.clear();
      KR_ASSIGN(auto d, NextStep(job));
      out = std::move(d);
    } else {
      agent.job_id.reset();
      KR_TRY(store_.SaveAgent(agent));
    }
  }
  KR_TRY(tx.Commit());
  if (was_lost) NotifyChanged("agent", agent_id);
  if (out)
    NotifyChanged("job", out->job.id);
  else
    RequestSchedule();
  return out;
}

Json Engine::StepEnv(const Job& job) {
  Json env = job.env;
  env["KK_JOB_ID"] = std::to_string(job.id);
  auto run = store_.GetRun(job.run_id);
  if (run) {
    auto flow = store_.GetFlow(run->flow_id);
    if (flow) {
      auto branch = store_.GetBranch(flow->branch_id);
      if (branch)
        for (auto& [k, v] : branch->env.items()) env[k] = v.is_string() ? v : Json(v.dump());
      // The commits that triggered the flow: the git tool checks them out.
      if (auto runs = store_.ListRuns(flow->id))
        if (Json commits = TriggerCommits(*runs); !commits.empty())
          env[kTriggerCommitsEnv] = commits.dump();
    }
  }
  return env;
}

// Finds the next step to run, marking skipped ones; completes the job when none is left.
// Runs inside the caller's transaction and saves `job`.
Result<Dispatch> Engine::ResendStep(Job& job, const Step& s, const Flow& flow) {
  KR_TRY(store_.SaveJob(job));
  Dispatch again{job, s, StepEnv(job)};
  if (!secret_box_) return again;
  // A step with secrets keeps its real fields sealed apart (the steps table has them masked).
  KR_ASSIGN(auto kept, secrets::ProjectSecrets(store_.db(), *secret_box_).StepFields(s.id));
  if (kept) {
    KR_ASSIGN(auto branch, store_.GetBranch(flow.branch_id));
    KR_ASSIGN(Json values, ContextSecrets(branch.project_id, true));
    again.secrets = secrets::StepSecretValues(*kept, secrets::SecretValues(values));
    again.fields = std::move(*kept);
  }
  return again;
}

Engine::StepPlan Engine::PlanStep(const Job& job, const std::vector<Step>& steps, const Step& s,
                                  const workflow::WhenContext& ctx) {
  StepPlan plan{false, s.fields, {}};
  // Most steps are plain: no #{...} in their fields and a `when` of the bare names
  // (was_no_error, always, is_ci, ...). They need no ctx, whose making costs a dozen reads.
  if (!workflow::HasInterpolation(s.when) && !HasExpression(s.fields) &&
      !secrets::NamesSecrets(s.fields)) {
    if (auto quick = workflow::EvaluateWhen(s.when, ctx)) {
      plan.run = *quick;
      return plan;
    }
  }
  auto step_ctx = StepContext(job, steps, s, ctx);
  if (!step_ctx) {
    plan.run = tl::unexpected(step_ctx.error());
    return plan;
  }
  workflow::Interpolator interpolator(*step_ctx, workflow::LegacyVariables(*step_ctx));
  plan.run = workflow::EvaluateWhen(s.when, interpolator);
  if (plan.run && *plan.run) plan.fields = interpolator.Expand(s.fields, "fields");
  // `ssh-key: NAME` / `access-token: NAME`: the agent gets those secrets' values.
  if (plan.run && *plan.run && plan.fields)
    plan.fields = secrets::AttachNamedSecrets(std::move(*plan.fields),
                                              step_ctx->value("secrets", Json::object()));
  plan.secret_values = secrets::SecretValues(step_ctx->value("secrets", Json::object()));
  return plan;
}

Result<Dispatch> Engine::StartStep(Job& job, Step& s, Json fields,
                                   const std::vector<std::string>& secret_values) {
  // The API sees the expanded fields with secret values masked; the agent gets them whole,
  // with the values to mask in the step's log.
  Dispatch dispatch{job, s, StepEnv(job)};
  dispatch.secrets = secrets::StepSecretValues(fields, secret_values);
  if (!dispatch.secrets.empty()) {
    if (!secret_box_) return Fail(ErrorCode::kInternal, "secrets without the server key");
    KR_TRY(secrets::ProjectSecrets(store_.db(), *secret_box_).KeepStepFields(s.id, fields));
    s.fields = workflow::MaskSecrets(secrets::WithoutNamedSecrets(fields), dispatch.secrets);
    dispatch.fields = std::move(fields);
  } else {
    s.fields = std::move(fields);
  }
  s.status = StepStatus::kInProgress;
  s.started = clock_.Now();
  KR_TRY(store_.SaveStep(s));
  KR_TRY(store_.SaveJob(job));
  dispatch.job = job;
  dispatch.step = s;
  return dispatch;
}

// How a job whose steps are all over ends: by its first step in error, if any.
CompletionStatus Engine::CompletionOf(const std::vector<Step>& steps) {
  for (const Step& s : steps) {
    if (s.status != StepStatus::kError) continue;
    if (s.reason == "step-timeout") return CompletionStatus::kStepTimeout;
    if (s.reason == "job-timeout") return CompletionStatus::kJobTimeout;
    if (s.reason == "agent-error" || s.reason == "bad-when" || s.reason == "bad-expression")
      return CompletionStatus::kAgentError;
    return CompletionStatus::kStepError;
  }
  return CompletionStatus::kOk;
}

Result<Dispatch> Engine::NextStep(Job& job) {
  KR_ASSIGN(auto steps, store_.ListSteps(job.id));
  KR_ASSIGN(auto run, store_.GetRun(job.run_id));
  KR_ASSIGN(auto flow, store_.GetFlow(run.flow_id));
  workflow::WhenContext ctx;
  ctx.is_ci = flow.kind == FlowKind::kCi;
  for (Step& s : steps) {
    if (s.status == StepStatus::kDone || s.status == StepStatus::kError) {
      ctx.prev_ok = s.status == StepStatus::kDone;
      ctx.any_error = ctx.any_error || s.status == StepStatus::kError;
      continue;
    }
    // Handed out already and not finished: the agent asks again after a lost answer.
    if (s.status == StepStatus::kInProgress) return ResendStep(job, s, flow);
    if (s.status != StepStatus::kNotStarted) continue;
    // `when` and the step's #{...} fields are evaluated now, over the step's ctx.
    StepPlan plan = PlanStep(job, steps, s, ctx);
    if (!plan.run || !plan.fields) {
      // A bad condition or expression is reported on the step, never silently taken as
      // false or as text.
      s.status = StepStatus::kError;
      s.reason = !plan.run ? "bad-when" : "bad-expression";
      s.message = !plan.run ? plan.run.error().message
                            : plan.fields.error().field + ": " + plan.fields.error().message;
      s.message = workflow::MaskSecrets(Json(s.message), plan.secret_values).get<std::string>();
      s.started = s.finished = clock_.Now();
      KR_TRY(store_.SaveStep(s));
      ctx.prev_ok = false;
      ctx.any_error = true;
      continue;
    }
    if (!*plan.run) {
      s.status = StepStatus::kSkipped;
      KR_TRY(store_.SaveStep(s));
      continue;
    }
    return StartStep(job, s, std::move(*plan.fields), plan.secret_values);
  }
  // No step left: the job is over.
  job.finished = clock_.Now();
  KR_TRY(CompleteJob(job, CompletionOf(steps)));
  return Dispatch{job, std::nullopt, Json::object()};
}

Result<Dispatch> Engine::FinishStep(Id agent_id, Id job_id, int64_t step_idx,
                                    const StepReport& report) {
  if (report.status != StepStatus::kDone && report.status != StepStatus::kError)
    return Invalid("status", "must be done or error");
  Transaction tx(store_.db());
  KR_TRY(CheckTrusted(agent_id));
  KR_ASSIGN(auto job, store_.GetJob(job_id));
  if (job.agent_id != agent_id || job.state != JobState::kAssigned)
    return Conflict(fmt::format("job {} is no longer assigned to this agent", job_id));
  KR_ASSIGN(auto steps, store_.ListSteps(job_id));
  if (step_idx < 0 || step_idx >= static_cast<int64_t>(steps.size()))
    return Invalid("step", fmt::format("job {} has no step {}", job_id, step_idx));
  Step& step = steps[step_idx];
  if (step.status == StepStatus::kInProgress) {
    step.status = report.status;
    step.retcode = report.retcode;
    step.reason = report.status == StepStatus::kError
                      ? (report.reason.empty() ? "exit-code" : report.reason)
                      : "";
    KR_ASSIGN(auto secret_values, JobSecretValues(job));
    step.message = workflow::MaskSecrets(Json(report.message), secret_values).get<std::string>();
    step.finished = clock_.Now();
    KR_TRY(store_.SaveStep(step));
  } else if (step.status == StepStatus::kNotStarted) {
    return Conflict(fmt::format("step {} of job {} was not started", step_idx, job_id));
  }
  // A repeated report of a finished step (a retry after a lost answer) just moves on.
  Touch(agent_id);
  KR_ASSIGN(auto next, NextStep(job));
  KR_TRY(tx.Commit());
  NotifyChanged("job", job_id);
  if (!next.step) RequestSchedule();
  return next;
}

Status Engine::AppendLog(Id agent_id, Id job_id, int64_t step_idx, int64_t seq,
                         const std::string& data) {
  if (seq < 0) return Invalid("seq", "must be 0 or more");
  KR_TRY(CheckTrusted(agent_id));
  KR_ASSIGN(auto job, store_.GetJob(job_id));
  if (job.agent_id != agent_id)
    return Conflict(fmt::format("job {} is no longer assigned to this agent", job_id));
  KR_TRY(CheckStepIndex(job_id, step_idx));
  // The agent masks the step's secrets across its batches; this catches any it missed.
  KR_ASSIGN(auto secret_values, JobSecretValues(job));
  std::string masked = secret_values.empty()
                           ? data
                           : workflow::MaskSecrets(Json(data), secret_values).get<std::string>();
  KR_ASSIGN(bool added, store_.AppendLog(job_id, step_idx, seq, masked, clock_.Now()));
  if (added)
    for (Listener* l : listeners_) l->LogAppended(job_id);
  return {};
}

Status Engine::CheckTrusted(Id agent_id) {
  KR_ASSIGN(auto agent, store_.GetAgent(agent_id, false));
  if (!agent.authorized)
    return Fail(ErrorCode::kForbidden,
                fmt::format("agent {} is not authorized: its reports are refused", agent.name));
  return {};
}

Status Engine::CheckStepIndex(Id job_id, int64_t step_idx) {
  KR_ASSIGN(auto steps, store_.ListSteps(job_id));
  if (step_idx < 0 || step_idx >= static_cast<int64_t>(steps.size()))
    return Invalid("step", fmt::format("job {} has no step {}: it has {} steps", job_id, step_idx,
                                       steps.size()));
  return {};
}

Result<bool> Engine::JobAbandoned(Id agent_id, Id job_id) {
  KR_ASSIGN(auto job, store_.GetJob(job_id));
  return job.agent_id != agent_id || job.state == JobState::kCompleted;
}

Status Engine::RequeueJob(Job& job, const std::string& why, CompletionStatus outcome) {
  std::optional<Id> agent = job.agent_id;
  if (job.attempt > job.max_retries) {
    job.notes += (job.notes.empty() ? "" : "\n") + why + "; no retries left";
    return CompleteJob(job, outcome);
  }
  KR_TRY(JobAttemptStore(store_.db())
             .Record(JobAttempt{job.id, job.attempt, agent, outcome, why, job.assigned, job.started,
                                clock_.Now()}));
  KR_ASSIGN(auto steps, store_.ListSteps(job.id));
  for (Step& s : steps) {
    s.status = StepStatus::kNotStarted;
    s.retcode.reset();
    s.reason.clear();
    s.message.clear();
    s.started = s.finished = 0;
    KR_TRY(store_.SaveStep(s));
  }
  KR_TRY(store_.DeleteLogs(job.id));
  // The lost attempt's results go with its log: the next attempt reports its own, from
  // batch 0 again.
  for (const char* table : {"test_results", "issues", "result_batches"})
    KR_TRY(store_.db().Exec(fmt::format("DELETE FROM {} WHERE job_id = ?", table), {job.id}));
  job.notes +=
      (job.notes.empty() ? "" : "\n") + fmt::format("attempt {}: {}; re-queued", job.attempt, why);
  job.attempt += 1;
  job.state = JobState::kQueued;
  job.agent_id.reset();
  job.assigned = job.started = job.finished = 0;
  job.wait_reason = "re-queued: " + why;
  KR_TRY(store_.SaveJob(job));
  KR_TRY(ReleaseAgent(agent));
  NotifyChanged("job", job.id);
  RequestSchedule();
  return {};
}

}  // namespace kraken::exec
