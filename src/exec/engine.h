// The execution engine: flows, runs, jobs and steps as state machines in the database,
// the scheduler that hands queued jobs to waiting agents, the agent side of the protocol
// (registration, job and step dispatch, logs, results) and the watchdog.
//
// Every public call is one database transaction, so a crash between calls loses nothing and
// a restarted server resumes from the database. In-memory state (Presence, followers) is
// only a wake-up mechanism.
//
// Not thread-safe: every call runs on the server's event loop.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/entities.h"
#include "core/protocol_limits.h"
#include "exec/presence.h"
#include "settings/secret_box.h"
#include "store/store.h"
#include "workflow/stage_def.h"
#include "workflow/stage_schema.h"
#include "workflow/when.h"

namespace kraken::exec {

struct EngineOptions {
  Millis agent_timeout = 60'000;  // an agent silent this long is lost
  Millis poll_wait = 25'000;      // how long an idle agent's poll may park
  int64_t job_retries = 1;        // re-queues of a job whose agent was lost
  // A watchdog pass this much later than the one before means the loop stalled: agents
  // could not be heard meanwhile, so each gets a full agent_timeout again.
  Millis watchdog_late = 5'000;
  int64_t max_artifact_bytes = kMaxArtifactBytes;  // the largest file an agent may upload
};

// Notifications the engine sends outwards (to parked requests, live views).
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void JobCancelled(Id job_id, Id agent_id) {}
  virtual void LogAppended(Id job_id) {}
  virtual void Changed(const std::string& kind, Id id) {}
};

// What an agent gets for a job: the job header and the step to run now.
struct Dispatch {
  Job job;
  std::optional<Step> step;   // none: the job is over
  Json env = Json::object();  // environment variables for every step
  // The step's fields with secret values, when it uses any (step->fields has them masked),
  // and those values, for the agent to mask in the step's log.
  std::optional<Json> fields;
  std::vector<std::string> secrets;
};

struct StepReport {
  StepStatus status = StepStatus::kDone;  // done or error
  std::optional<int64_t> retcode;
  std::string reason;  // exit-code, step-timeout, job-timeout, agent-error, cancelled
  std::string message;
};

struct Registration {
  Agent agent;
  std::string token;  // the agent's own secret, returned once
};

class Engine {
 public:
  using Post = std::function<void(std::function<void()>)>;

  Engine(store::Store& store, const Clock& clock, Post post, EngineOptions options = {});

  // Listeners are told of every change, in the order they were added (not owned).
  void add_listener(Listener* listener) { listeners_.push_back(listener); }
  Presence& presence() { return presence_; }
  const EngineOptions& options() const { return options_; }
  store::Store& store() { return store_; }

  // Ensures built-in records (group `all`) exist.
  Status Bootstrap();

  // --- flows, runs, jobs (flows.cc) ---
  Result<Flow> StartFlow(Id branch_id, FlowKind kind, const Json& args);
  // Starts a run of `stage_id` in an existing flow (manual start, or a stage not yet run).
  Result<Run> StartRun(Id flow_id, Id stage_id, const Json& args);
  Status CancelRun(Id run_id);
  Status CancelJob(Id job_id);
  Result<Job> RerunJob(Id job_id);
  Result<Run> RerunRun(Id run_id);

  // --- agents (agents.cc) ---
  // With a valid one-time registration token the agent is authorized at once and joins the
  // token's group; otherwise it waits, unauthorized, for an admin.
  Result<Registration> RegisterAgent(const std::string& name, const Json& host_info,
                                     const std::string& registration_token);
  Result<Agent> AuthenticateAgent(const std::string& token);
  Status AuthorizeAgent(Id agent_id, bool authorized);
  Status UpdateHostInfo(Id agent_id, const Json& host_info);
  // An idle agent asks for work: a job already assigned to it is started and its first step
  // dispatched; otherwise nullopt (the caller parks the poll in Presence).
  Result<std::optional<Dispatch>> Poll(Id agent_id);
  Result<Dispatch> FinishStep(Id agent_id, Id job_id, int64_t step_idx, const StepReport& report);
  // Stores a log batch; a repeated (step, seq) is acknowledged and ignored.
  Status AppendLog(Id agent_id, Id job_id, int64_t step_idx, int64_t seq, const std::string& data);
  // The values of the secrets of the job's project: the server masks them in whatever an
  // agent sends about the job (step messages, logs, results, issues, data), whether or not
  // the agent masked them itself.
  Result<std::vector<std::string>> JobSecretValues(const Job& job);
  // Refuses (403) the reports of an agent that is no longer authorized.
  Status CheckTrusted(Id agent_id);
  // Refuses (400) a step index the job does not have.
  Status CheckStepIndex(Id job_id, int64_t step_idx);
  // True when the agent should stop working on the job (cancelled, timed out, reassigned).
  Result<bool> JobAbandoned(Id agent_id, Id job_id);
  void Touch(Id agent_id);
  Result<std::string> MintRegistrationToken(std::optional<Id> group_id, Millis lifetime,
                                            std::optional<Id> machine_id = std::nullopt);

  // --- scheduler (scheduler.cc) ---
  // Coalesces requests: one pass runs soon on the loop, however many asked.
  void RequestSchedule();
  // Assigns queued jobs to waiting agents; returns how many were assigned.
  int SchedulePass();

  // --- watchdog (watchdog.cc) ---
  // Marks silent agents lost and re-queues or ends their jobs; ends jobs past their timeout.
  void WatchdogPass();
  // Takes back the job of an agent whose machine is gone, as if the agent were lost:
  // re-queued if it has retries left, else completed with `outcome`. The attempt that
  // ended is recorded with `outcome` (kPreempted when the provider took the machine away,
  // e.g. a spot interruption). No job: nothing to do.
  Status RequeueAgentJob(Id agent_id, const std::string& why,
                         CompletionStatus outcome = CompletionStatus::kAgentLost);

  // Tells listeners that something outside the engine changed (e.g. a group's deployment).
  void NotifyExternalChange(const std::string& kind, Id id) { NotifyChanged(kind, id); }

  // Who explains why a queued job waits (the autoscaler); an empty answer keeps the
  // scheduler's own reason.
  void set_wait_reason_source(std::function<std::string(const Job&)> source) {
    wait_reason_source_ = std::move(source);
  }
  // Brings the wait reason of each of `jobs` that still waits for an agent up to what the
  // source says now (when it says anything): the source changed its mind between two
  // scheduling passes. The scheduler is the one writer of wait reasons (scheduler.cc).
  Status ExplainWaits(const std::vector<Job>& jobs);

  // What system a machine was made for (the autoscaler's records: an image or AMI id, or
  // "any"); its agent runs that system's jobs whatever distribution it reports. Unset or
  // empty: machines are made for no system in particular.
  void set_machine_system_source(std::function<std::string(Id machine_id)> source) {
    machine_system_source_ = std::move(source);
  }

  // The server's key, which seals project secrets; without one, steps see no secrets.
  void set_secret_box(const settings::SecretBox* box) { secret_box_ = box; }
  const settings::SecretBox* secret_box() const { return secret_box_; }

 private:
  // The system the machine was made for, from the machine system source; "" for "any".
  std::string MachineSystem(Id machine_id) const;
  // Helpers run inside the caller's transaction.
  Result<Run> CreateRun(const Flow& flow, const Stage& stage, const Json& args, const Json& reason);
  Status CreateJobs(const Flow& flow, const Run& run, const workflow::StageDef& def);
  // Whether a stored schema that no longer validates names a stage started by a new flow.
  static bool StartsWithFlow(const Json& schema);
  // Stage code and ctx (stage_eval.cc): the stage evaluated and validated with the run's ctx;
  // the flow and run labels; the ctx of a run or of one step.
  workflow::SchemaResult<workflow::EvaluatedStage> EvaluateRunSchema(const Flow& flow,
                                                                     const Stage& stage,
                                                                     const Run& run,
                                                                     const Json& args);
  Status ApplyLabels(const Flow& flow, const Stage& stage, const workflow::StageDef& def, Run& run);
  // Cancels the unfinished jobs of runs past their stage-level `timeout` (stage_eval.cc).
  void StageTimeoutPass();
  Result<Json> RunContext(const Flow& flow, const Run& run);
  // ctx.secrets of a project: placeholders for stage code and labels, or (with_values) the
  // values, for a step's fields (stage_eval.cc).
  Result<Json> ContextSecrets(Id project_id, bool with_values);
  Result<Json> StepContext(const Job& job, const std::vector<Step>& steps, const Step& step,
                           const workflow::WhenContext& when);
  // The job's next step to run (its `when` and #{...} fields evaluated now), or none when the
  // job is over, which completes it. The parts: a step handed out again after a lost answer;
  // the evaluation of a step; its start; how a job whose steps are over ends.
  Result<Dispatch> NextStep(Job& job);
  Result<Dispatch> ResendStep(Job& job, const Step& step, const Flow& flow);
  struct StepPlan {
    Result<bool> run;                        // whether it runs, or why its `when` is bad
    Result<Json> fields;                     // expanded, or why an expression is bad
    std::vector<std::string> secret_values;  // to mask in what is said about it
  };
  StepPlan PlanStep(const Job& job, const std::vector<Step>& steps, const Step& step,
                    const workflow::WhenContext& when);
  Result<Dispatch> StartStep(Job& job, Step& step, Json fields,
                             const std::vector<std::string>& secret_values);
  static CompletionStatus CompletionOf(const std::vector<Step>& steps);
  Status CompleteJob(Job& job, CompletionStatus status);
  Status CheckRunDone(Id run_id);
  Status CheckFlowDone(Id flow_id);
  Status RequeueJob(Job& job, const std::string& why,
                    CompletionStatus outcome = CompletionStatus::kAgentLost);
  Status ReleaseAgent(std::optional<Id> agent_id);
  Json StepEnv(const Job& job);
  void NotifyChanged(const std::string& kind, Id id);
  void NotifyCancelled(Id job_id, Id agent_id);
  // Liveness in monotonic time (watchdog.cc): the agent was heard from just now.
  void Heard(Id agent_id) { heard_[agent_id] = clock_.Monotonic(); }

  store::Store& store_;
  const Clock& clock_;
  Post post_;
  EngineOptions options_;
  std::vector<Listener*> listeners_;
  Presence presence_;
  bool schedule_pending_ = false;
  // Set while StartFlow makes its runs: CheckFlowDone waits until they all exist.
  bool starting_flow_ = false;
  std::function<std::string(const Job&)> wait_reason_source_;
  std::function<std::string(Id)> machine_system_source_;
  const settings::SecretBox* secret_box_ = nullptr;
  // Monotonic times: when each agent was last heard from in this process; since when every
  // agent has had a full timeout (the server's start, or the end of a loop stall); when the
  // watchdog last ran; when each running job started (its deadline counts from there).
  std::unordered_map<Id, Millis> heard_;
  Millis grace_from_;
  Millis last_watchdog_ = 0;
  std::unordered_map<Id, Millis> job_started_;
  // Each running run's stage deadline, in monotonic time (seconds 0: the stage has none).
  struct RunDeadline {
    Millis at = 0;
    int64_t seconds = 0;
  };
  std::unordered_map<Id, RunDeadline> run_deadline_;
  RunDeadline ReadRunDeadline(Id run_id, Millis started);
};

}  // namespace kraken::exec
