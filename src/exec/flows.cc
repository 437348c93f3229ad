// Flows, runs and jobs: creation from stage schemas, completion, cancel and rerun.
#include <fmt/format.h>

#include "exec/engine.h"
#include "workflow/context.h"
#include "workflow/interpolate.h"

namespace kraken::exec {

using store::Transaction;

Engine::Engine(store::Store& store, const Clock& clock, Post post, EngineOptions options)
    : store_(store),
      clock_(clock),
      post_(std::move(post)),
      options_(options),
      grace_from_(clock.Monotonic()) {}

Status Engine::Bootstrap() {
  KR_ASSIGN(auto all, store_.FindGroup("all"));
  if (!all)
    KR_TRY(store_.CreateGroup(
        AgentsGroup{0, "all", std::nullopt, Json{{"method", "manual"}}, clock_.Now()}));
  return {};
}

void Engine::NotifyChanged(const std::string& kind, Id id) {
  for (Listener* l : listeners_) l->Changed(kind, id);
}

void Engine::NotifyCancelled(Id job_id, Id agent_id) {
  for (Listener* l : listeners_) l->JobCancelled(job_id, agent_id);
}

Result<Flow> Engine::StartFlow(Id branch_id, FlowKind kind, const Json& args) {
  if (!args.is_object()) return Invalid("args", "must be an object of NAME: value");
  Transaction tx(store_.db());
  KR_ASSIGN(auto branch, store_.GetBranch(branch_id));
  KR_ASSIGN(auto stages, store_.ListStages(branch_id));
  KR_ASSIGN(auto seq, store_.NextFlowSeq(branch_id, kind));
  Flow flow;
  flow.branch_id = branch_id;
  flow.kind = kind;
  flow.seq = seq.first;
  flow.kind_seq = seq.second;
  flow.label = fmt::format("{}.", flow.seq);
  flow.args = args;
  flow.args["KK_FLOW_TYPE"] = std::string(Name(kind));
  flow.args["KK_BRANCH"] = branch.branch_name;
  flow.args["branch"] = branch.branch_name;
  flow.created = clock_.Now();
  KR_ASSIGN(flow, store_.CreateFlow(flow));
  starting_flow_ = true;
  for (const Stage& stage : stages) {
    if (!stage.enabled) continue;
    auto def = workflow::ParseStage(stage.schema);
    if (def ? def->parent != "root" || !def->trigger_parent : !StartsWithFlow(stage.schema))
      continue;
    // A stored schema that no longer validates is not skipped: the run re-evaluates the code
    // and, when that fails too, ends at once in error with the message, for all to see.
    auto run = CreateRun(flow, stage, Json::object(), Json{{"reason", "flow start"}});
    if (!run) {
      starting_flow_ = false;
      return tl::unexpected(run.error());
    }
  }
  starting_flow_ = false;
  // Completes a flow that started nothing or whose every run ended at once.
  KR_TRY(CheckFlowDone(flow.id));
  KR_ASSIGN(flow, store_.GetFlow(flow.id));
  KR_TRY(tx.Commit());
  NotifyChanged("flow", flow.id);
  RequestSchedule();
  return flow;
}

bool Engine::StartsWithFlow(const Json& schema) {
  // Read leniently: the schema did not validate, but its parent and trigger are likely intact.
  if (!schema.is_object()) return true;
  const Json parent = schema.value("parent", Json("root"));
  const Json triggers = schema.value("triggers", Json::object());
  bool by_parent = !triggers.is_object() || triggers.value("parent", Json(true)) != Json(false);
  return parent == "root" && by_parent;
}

Result<Run> Engine::StartRun(Id flow_id, Id stage_id, const Json& args) {
  if (!args.is_object()) return Invalid("args", "must be an object of NAME: value");
  Transaction tx(store_.db());
  KR_ASSIGN(auto flow, store_.GetFlow(flow_id));
  KR_ASSIGN(auto stage, store_.GetStage(stage_id));
  if (stage.branch_id != flow.branch_id)
    return Invalid("stage_id", "the stage belongs to another branch");
  KR_ASSIGN(auto runs, store_.ListRuns(flow_id));
  for (auto& r : runs) {
    if (r.stage_id != stage_id) continue;
    if (r.state != RunState::kManual)
      return Conflict(fmt::format("stage '{}' already ran in this flow (run {}); rerun it instead",
                                  stage.name, r.id));
    // A manual run: start its jobs now.
    KR_ASSIGN(auto schema, store_.GetRunSchema(r.id));
    KR_ASSIGN(auto def, workflow::ParseStage(schema));
    r.state = RunState::kInProgress;
    r.started = clock_.Now();
    for (auto& [k, v] : args.items()) r.args[k] = v;
    KR_TRY(store_.SaveRun(r));
    KR_TRY(CreateJobs(flow, r, def));
    KR_TRY(CheckRunDone(r.id));
    KR_TRY(tx.Commit());
    RequestSchedule();
    return store_.GetRun(r.id);
  }
  if (flow.state == FlowState::kCompleted) {
    flow.state = FlowState::kInProgress;
    flow.finished = 0;
    KR_TRY(store_.SaveFlow(flow));
  }
  KR_ASSIGN(auto run, CreateRun(flow, stage, args, Json{{"reason", "manual"}}));
  KR_TRY(tx.Commit());
  RequestSchedule();
  return run;
}

Result<Run> Engine::CreateRun(const Flow& flow, const Stage& stage, const Json& args,
                              const Json& reason) {
  Run run;
  run.flow_id = flow.id;
  run.stage_id = stage.id;
  run.stage_name = stage.name;
  run.reason = reason;
  run.created = clock_.Now();
  run.schema = stage.schema;
  // The stage's code runs again with the full ctx: the job list may depend on the flow.
  auto evaluated = EvaluateRunSchema(flow, stage, run, args);
  if (!evaluated) {
    // A schema that no longer evaluates or validates ends the run at once, with the reason.
    run.state = RunState::kCompleted;
    run.note = evaluated.error().message;
    run.finished = run.created;
    KR_ASSIGN(run, store_.CreateRun(run));
    KR_TRY(CheckFlowDone(flow.id));
    return run;
  }
  const workflow::StageDef& def = evaluated->def;
  run.schema = evaluated->schema;
  // Arguments: parameter defaults, then flow arguments, then run arguments.
  run.args = workflow::ParameterDefaults(def);
  for (auto& [k, v] : flow.args.items()) run.args[k] = v;
  for (auto& [k, v] : args.items()) run.args[k] = v;
  KR_TRY(ApplyLabels(flow, stage, def, run));
  if (def.trigger_manual && reason.value("reason", "") != "manual") {
    run.state = RunState::kManual;
    KR_ASSIGN(run, store_.CreateRun(run));
    return run;
  }
  run.state = RunState::kInProgress;
  run.started = run.created;
  KR_ASSIGN(run, store_.CreateRun(run));
  KR_TRY(CreateJobs(flow, run, def));
  KR_TRY(CheckRunDone(run.id));
  NotifyChanged("run", run.id);
  return run;
}

Status Engine::CreateJobs(const Flow& flow, const Run& run, const workflow::StageDef& def) {
  // Environment names may hold #{...}: they are expanded with the run's ctx.
  KR_ASSIGN(Json ctx, RunContext(flow, run));
  workflow::Interpolator interpolator(ctx, workflow::LegacyVariables(ctx));
  for (const auto& jd : def.jobs) {
    for (size_t e = 0; e < jd.environments.size(); ++e) {
      const auto& env = jd.environments[e];
      // A list of configs multiplies the job (a build matrix); a name that no config
      // defines is accepted and adds no variables.
      std::vector<std::string> configs = env.configs;
      if (configs.empty()) configs.push_back("");
      for (const std::string& config_name : configs) {
        for (const auto& raw_system : env.systems) {
          Job job;
          job.run_id = run.id;
          job.name = configs.size() > 1 ? fmt::format("{} [{}]", jd.name, config_name) : jd.name;
          job.executor = env.executor;
          job.timeout = jd.timeout;
          job.max_retries = options_.job_retries;
          job.created = clock_.Now();
          job.env = Json{{"KK_FLOW_SEQ", std::to_string(flow.seq)},
                         {"KK_CI_DEV_FLOW_SEQ", std::to_string(flow.kind_seq)},
                         {"KK_FLOW_KIND", std::string(Name(flow.kind))},
                         {"KK_FLOW_ID", std::to_string(flow.id)},
                         {"KK_RUN_ID", std::to_string(run.id)}};
          if (!config_name.empty()) {
            job.env["KK_CONFIG"] = config_name;
            if (const auto* cfg = workflow::FindConfig(def, config_name))
              for (auto& [k, v] : cfg->vars.items()) job.env[k] = v;
          }
          std::string where = fmt::format("jobs.{}.environments[{}]", jd.name, e);
          auto system = interpolator.ExpandString(raw_system, where + ".system");
          auto group_name = interpolator.ExpandString(env.agents_group, where + ".agents_group");
          job.system = system ? *system : raw_system;
          job.group_name = group_name ? *group_name : env.agents_group;
          std::optional<AgentsGroup> group;
          if (system && group_name) {
            KR_ASSIGN(group, store_.FindGroup(job.group_name));
          }
          if (!system || !group_name) {
            const Error& err = !system ? system.error() : group_name.error();
            job.state = JobState::kCompleted;
            job.completion = CompletionStatus::kAgentError;
            job.completed = job.created;
            job.notes = err.field + ": " + err.message;
          } else if (group) {
            job.group_id = group->id;
          } else {
            job.state = JobState::kCompleted;
            job.completion = CompletionStatus::kMissingGroup;
            job.completed = job.created;
            job.notes = "agents group '" + job.group_name + "' does not exist";
          }
          std::vector<Step> steps;
          for (size_t i = 0; i < jd.steps.size(); ++i) {
            Step s;
            s.index = static_cast<int64_t>(i);
            s.tool = jd.steps[i].tool;
            s.name = jd.steps[i].name;
            s.fields = jd.steps[i].fields;
            s.when = jd.steps[i].when;
            if (job.state == JobState::kCompleted) s.status = StepStatus::kSkipped;
            steps.push_back(std::move(s));
          }
          KR_TRY(store_.CreateJob(job, steps));
        }
      }
    }
  }
  return {};
}

Status Engine::CompleteJob(Job& job, CompletionStatus status) {
  Millis now = clock_.Now();
  KR_ASSIGN(auto steps, store_.ListSteps(job.id));
  for (Step& s : steps) {
    if (s.status == StepStatus::kInProgress) {
      s.status = StepStatus::kError;
      s.reason = std::string(Name(status));
      s.finished = now;
      KR_TRY(store_.SaveStep(s));
    } else if (s.status == StepStatus::kNotStarted) {
      s.status = StepStatus::kSkipped;
      KR_TRY(store_.SaveStep(s));
    }
  }
  std::optional<Id> agent = job.agent_id;
  job.state = JobState::kCompleted;
  job.completion = status;
  job.wait_reason.clear();
  if (!job.finished) job.finished = now;
  job.completed = now;
  KR_TRY(store_.SaveJob(job));
  KR_TRY(ReleaseAgent(agent));
  NotifyChanged("job", job.id);
  return CheckRunDone(job.run_id);
}

Status Engine::ReleaseAgent(std::optional<Id> agent_id) {
  if (!agent_id) return {};
  auto agent = store_.GetAgent(*agent_id, false);
  if (!agent) return {};  // deleted meanwhile
  agent->job_id.reset();
  return store_.SaveAgent(*agent);
}

Status Engine::CheckRunDone(Id run_id) {
  KR_ASSIGN(auto run, store_.GetRun(run_id));
  if (run.state != RunState::kInProgress) return {};
  KR_ASSIGN(bool unfinished, store_.RunHasUnfinishedJobs(run_id));
  if (unfinished) return {};
  KR_ASSIGN(auto counts, store_.CountRunJobs(run_id));
  if (counts.unfinished > 0) return {};
  int64_t errors = counts.erred;
  run.state = RunState::kCompleted;
  run.jobs_total = counts.total;
  run.jobs_error = errors;
  run.finished = clock_.Now();
  KR_TRY(store_.SaveRun(run));
  NotifyChanged("run", run.id);
  KR_ASSIGN(auto flow, store_.GetFlow(run.flow_id));
  if (errors == 0) {
    // Child stages whose parent is this stage start now, in the same flow.
    KR_ASSIGN(auto stages, store_.ListStages(flow.branch_id));
    KR_ASSIGN(auto runs, store_.ListRuns(flow.id));
    for (const Stage& stage : stages) {
      if (!stage.enabled) continue;
      auto def = workflow::ParseStage(stage.schema);
      if (!def || def->parent != run.stage_name || !def->trigger_parent) continue;
      bool already = false;
      for (const auto& r : runs) already = already || r.stage_id == stage.id;
      if (already) continue;
      KR_TRY(
          CreateRun(flow, stage, Json::object(), Json{{"reason", "parent"}, {"run_id", run.id}}));
    }
  }
  return CheckFlowDone(flow.id);
}

Status Engine::CheckFlowDone(Id flow_id) {
  if (starting_flow_) return {};  // StartFlow checks once all its runs exist
  KR_ASSIGN(auto flow, store_.GetFlow(flow_id));
  if (flow.state == FlowState::kCompleted) return {};
  KR_ASSIGN(auto runs, store_.ListRuns(flow_id));
  for (const auto& r : runs)
    if (r.state == RunState::kInProgress || r.state == RunState::kCreating) return {};
  flow.state = FlowState::kCompleted;
  flow.finished = clock_.Now();
  KR_TRY(store_.SaveFlow(flow));
  NotifyChanged("flow", flow.id);
  return {};
}

Status Engine::CancelJob(Id job_id) {
  Transaction tx(store_.db());
  KR_ASSIGN(auto job, store_.GetJob(job_id));
  if (job.state == JobState::kCompleted)
    return Conflict(fmt::format("job {} is already completed", job_id));
  std::optional<Id> agent = job.agent_id;
  KR_TRY(CompleteJob(job, CompletionStatus::kUserCancel));
  KR_TRY(tx.Commit());
  if (agent) NotifyCancelled(job_id, *agent);
  return {};
}

Status Engine::CancelRun(Id run_id) {
  KR_ASSIGN(auto jobs, store_.ListJobs(run_id, false));
  KR_ASSIGN(auto run, store_.GetRun(run_id));
  if (run.state != RunState::kInProgress && run.state != RunState::kManual)
    return Conflict(fmt::format("run {} is not in progress", run_id));
  for (const Job& j : jobs)
    if (j.state != JobState::kCompleted) KR_TRY(CancelJob(j.id));
  if (run.state == RunState::kManual) {
    Transaction tx(store_.db());
    run.state = RunState::kCompleted;
    run.finished = clock_.Now();
    run.note = "cancelled";
    KR_TRY(store_.SaveRun(run));
    KR_TRY(CheckFlowDone(run.flow_id));
    KR_TRY(tx.Commit());
  }
  return {};
}

Result<Job> Engine::RerunJob(Id job_id) {
  Transaction tx(store_.db());
  KR_ASSIGN(auto old, store_.GetJob(job_id));
  if (old.state != JobState::kCompleted)
    return Conflict(fmt::format("job {} is still running; cancel it first", job_id));
  if (old.covered) return Conflict(fmt::format("job {} was already rerun", job_id));
  KR_ASSIGN(auto steps, store_.ListSteps(job_id));
  old.covered = true;
  KR_TRY(store_.SaveJob(old));
  Job job = old;
  job.state = JobState::kQueued;
  job.completion = CompletionStatus::kNone;
  job.agent_id.reset();
  job.attempt = 1;
  job.covered = false;
  job.wait_reason.clear();
  job.notes = fmt::format("rerun of job {}", old.id);
  job.created = clock_.Now();
  job.assigned = job.started = job.finished = job.completed = 0;
  for (Step& s : steps) {
    s.status = StepStatus::kNotStarted;
    s.retcode.reset();
    s.reason.clear();
    s.message.clear();
    s.started = s.finished = 0;
  }
  KR_ASSIGN(auto group, store_.FindGroup(job.group_name));
  if (!group) return Conflict("agents group '" + job.group_name + "' no longer exists");
  job.group_id = group->id;
  KR_ASSIGN(job, store_.CreateJob(job, steps));
  KR_ASSIGN(auto run, store_.GetRun(job.run_id));
  if (run.state != RunState::kInProgress) {
    run.state = RunState::kInProgress;
    run.finished = 0;
    KR_TRY(store_.SaveRun(run));
    KR_ASSIGN(auto flow, store_.GetFlow(run.flow_id));
    if (flow.state == FlowState::kCompleted) {
      flow.state = FlowState::kInProgress;
      flow.finished = 0;
      KR_TRY(store_.SaveFlow(flow));
    }
  }
  KR_TRY(tx.Commit());
  NotifyChanged("job", job.id);
  RequestSchedule();
  return job;
}

Result<Run> Engine::RerunRun(Id run_id) {
  KR_ASSIGN(auto run, store_.GetRun(run_id));
  if (run.state == RunState::kInProgress || run.state == RunState::kManual)
    return Conflict(fmt::format("run {} is still in progress", run_id));
  KR_ASSIGN(auto jobs, store_.ListJobs(run_id, false));
  for (const Job& j : jobs) KR_TRY(RerunJob(j.id));
  return store_.GetRun(run_id);
}

}  // namespace kraken::exec
