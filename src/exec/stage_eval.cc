// Stage code at run time: re-evaluation with the full ctx, labels, and the ctx of a step.
#include <fmt/format.h>

#include "core/json_limits.h"
#include "exec/engine.h"
#include "secrets/project_secrets.h"
#include "secrets/secret_context.h"
#include "workflow/context.h"
#include "workflow/interpolate.h"

namespace kraken::exec {

workflow::SchemaResult<workflow::EvaluatedStage> Engine::EvaluateRunSchema(const Flow& flow,
                                                                           const Stage& stage,
                                                                           const Run& run,
                                                                           const Json& args) {
  auto fail = [](const Error& e) {
    return workflow::SchemaResult<workflow::EvaluatedStage>(
        tl::unexpected(workflow::SchemaError{e.field, e.message, "", 0, 0, ""}));
  };
  auto branch = store_.GetBranch(flow.branch_id);
  if (!branch) return fail(branch.error());
  auto project = store_.GetProject(branch->project_id);
  if (!project) return fail(project.error());
  auto saved = workflow::ParseStage(stage.schema);
  workflow::ContextInput in;
  in.project = &*project;
  in.branch = &*branch;
  in.stage = &stage;
  in.flow = &flow;
  in.run = &run;
  in.parameter_defaults = saved ? workflow::ParameterDefaults(*saved) : Json::object();
  in.run_args = args;
  auto secrets = ContextSecrets(project->id, false);
  if (!secrets) return fail(secrets.error());
  in.secrets = *secrets;
  std::string code = stage.schema_code.empty() ? stage.schema.dump() : stage.schema_code;
  std::string format = stage.schema_code.empty() ? "json" : stage.schema_format;
  workflow::SourceOptions options;
  options.filename = stage.name + ".star";
  auto out = workflow::EvaluateStage(code, format, workflow::BuildContext(in), options);
  if (!out) {
    workflow::SchemaError e = out.error();
    e.message = "schema evaluation failed: " + e.ToString();
    return tl::unexpected(e);
  }
  return out;
}

Result<Json> Engine::ContextSecrets(Id project_id, bool with_values) {
  if (!with_values) {
    KR_ASSIGN(auto infos, secrets::ListSecretInfo(store_.db(), project_id));
    return secrets::PlaceholderSecrets(infos);
  }
  if (!secret_box_) return Json::object();
  KR_ASSIGN(auto opened, secrets::ProjectSecrets(store_.db(), *secret_box_).Open(project_id));
  return secrets::ContextSecrets(opened);
}

Result<std::vector<std::string>> Engine::JobSecretValues(const Job& job) {
  if (!secret_box_) return std::vector<std::string>{};
  KR_ASSIGN(auto run, store_.GetRun(job.run_id));
  KR_ASSIGN(auto flow, store_.GetFlow(run.flow_id));
  KR_ASSIGN(auto branch, store_.GetBranch(flow.branch_id));
  KR_ASSIGN(Json values, ContextSecrets(branch.project_id, true));
  // An ssh-key secret's user name is no secret (and is often a common word like `git`).
  for (auto& [name, v] : values.items())
    if (v.is_object()) v.erase("user");
  return secrets::SecretValues(values);
}

Result<Json> Engine::RunContext(const Flow& flow, const Run& run) {
  KR_ASSIGN(auto branch, store_.GetBranch(flow.branch_id));
  KR_ASSIGN(auto project, store_.GetProject(branch.project_id));
  Stage stage;
  if (auto s = store_.GetStageInfo(run.stage_id))
    stage = *s;  // a deleted stage keeps its runs
  else
    stage.name = run.stage_name;
  workflow::ContextInput in;
  in.project = &project;
  in.branch = &branch;
  in.stage = &stage;
  in.flow = &flow;
  in.run = &run;
  in.run_args = run.args;
  KR_ASSIGN(in.secrets, ContextSecrets(project.id, false));
  return workflow::BuildContext(in);
}

Status Engine::ApplyLabels(const Flow& flow, const Stage& stage, const workflow::StageDef& def,
                           Run& run) {
  if (def.flow_label.empty() && def.run_label.empty()) return {};
  KR_ASSIGN(Json ctx, RunContext(flow, run));
  workflow::Interpolator interpolator(ctx, workflow::LegacyVariables(ctx));
  if (!def.run_label.empty()) {
    auto label = interpolator.ExpandString(def.run_label, "run_label");
    if (label)
      run.label = *label;
    else
      run.note = "run_label: " + label.error().message;
  }
  // The flow label is set by the first run that defines one; until then it is "<seq>.".
  KR_ASSIGN(auto current, store_.GetFlow(flow.id));
  if (!def.flow_label.empty() && current.label == fmt::format("{}.", current.seq)) {
    auto label = interpolator.ExpandString(def.flow_label, "flow_label");
    if (!label) {
      run.note = "flow_label: " + label.error().message;
    } else {
      current.label = *label;
      KR_TRY(store_.SaveFlow(current));
    }
  }
  return {};
}

Result<Json> Engine::StepContext(const Job& job, const std::vector<Step>& steps, const Step& step,
                                 const workflow::WhenContext& when) {
  KR_ASSIGN(auto run, store_.GetRun(job.run_id));
  KR_ASSIGN(auto flow, store_.GetFlow(run.flow_id));
  KR_ASSIGN(Json ctx, RunContext(flow, run));
  Json config = Json::object();
  if (auto name = job.env.find("KK_CONFIG"); name != job.env.end() && name->is_string()) {
    if (auto schema = store_.GetRunSchema(run.id))
      if (auto def = workflow::ParseStage(*schema))
        if (const auto* c = workflow::FindConfig(*def, name->get<std::string>())) config = c->vars;
  }
  // A step's fields and `when` see the secret values (the step is masked where it is stored).
  KR_ASSIGN(auto branch, store_.GetBranch(flow.branch_id));
  KR_ASSIGN(ctx["secrets"], ContextSecrets(branch.project_id, true));
  ctx = workflow::StepContext(std::move(ctx), job, steps, step, config);
  workflow::AddWhenNames(ctx, when);
  return ctx;
}

}  // namespace kraken::exec

namespace kraken::exec {

void Engine::StageTimeoutPass() {
  // Deadlines count in monotonic time, like the jobs' (WatchdogPass): a wall-clock jump
  // neither ends a run early nor keeps it alive.
  const Millis now = clock_.Monotonic();
  auto rows = store_.db().Exec("SELECT id, started FROM runs WHERE state = ? AND started > 0",
                               {std::string(Name(RunState::kInProgress))});
  if (!rows) return;
  std::unordered_map<Id, RunDeadline> deadlines;
  for (const auto& row : rows->rows) {
    const Id run_id = row.Int(0);
    auto known = run_deadline_.find(run_id);
    RunDeadline deadline =
        known != run_deadline_.end()
            ? known->second
            : ReadRunDeadline(run_id, now - std::max<Millis>(0, clock_.Now() - row.Int(1)));
    deadlines[run_id] = deadline;
    if (deadline.seconds == 0 || now < deadline.at) continue;
    auto jobs = store_.ListJobs(run_id, false);
    if (!jobs) continue;
    for (Job& job : *jobs) {
      if (job.state == JobState::kCompleted) continue;
      store::Transaction tx(store_.db());
      std::optional<Id> agent = job.agent_id;
      job.notes += (job.notes.empty() ? "" : "\n") +
                   fmt::format("the run passed its stage timeout of {} s", deadline.seconds);
      if (!CompleteJob(job, CompletionStatus::kJobTimeout) || !tx.Commit()) continue;
      if (agent) NotifyCancelled(job.id, *agent);
    }
  }
  run_deadline_ = std::move(deadlines);
}

Engine::RunDeadline Engine::ReadRunDeadline(Id run_id, Millis started) {
  // Read once per run and process: a run that started before a restart counts from its
  // stored start, as far as the wall clock tells (`started`, in monotonic time).
  auto rows = store_.db().Exec("SELECT schema_json FROM runs WHERE id = ?", {run_id});
  if (!rows || rows->rows.empty()) return {};
  Json stage = ParseJson(rows->rows[0].Text(0)).value_or(Json());
  if (!stage.is_object() || !stage.contains("timeout")) return {};
  auto parsed = workflow::ParseStage(Json{{"timeout", stage["timeout"]}});
  if (!parsed || !parsed->timeout) return {};
  return {started + *parsed->timeout * 1000, *parsed->timeout};
}

}  // namespace kraken::exec
