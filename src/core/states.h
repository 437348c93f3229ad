// The states of flows, runs, jobs, steps and agents, as Kraken CI names them, and their
// text form (used in the database and the API). Plain enums; functions are pure.
#pragma once

#include <optional>
#include <string_view>

namespace kraken {

enum class FlowKind { kCi, kDev };
enum class FlowState { kInProgress, kCompleted };
enum class RunState { kCreating, kInProgress, kManual, kCompleted, kProcessed };
enum class JobState { kQueued, kAssigned, kExecutingFinished, kCompleted };

// Why a job ended. kNone while it has not.
enum class CompletionStatus {
  kNone,
  kOk,
  kStepError,  // a step failed (non-zero exit code)
  kJobTimeout,
  kStepTimeout,
  kAgentError,  // the agent could not run the job (e.g. bad cwd, missing tool)
  kAgentLost,   // the agent stopped heartbeating and retries are used up
  kUserCancel,
  kNoAgents,  // the group has no agent that could ever take the job
  kMissingGroup,
  kPreempted,  // the machine under the job vanished (spot interruption)
  kServerTimeout,
};

enum class StepStatus { kNotStarted, kInProgress, kDone, kError, kSkipped };

std::string_view Name(FlowKind v);
std::string_view Name(FlowState v);
std::string_view Name(RunState v);
std::string_view Name(JobState v);
std::string_view Name(CompletionStatus v);
std::string_view Name(StepStatus v);

std::optional<FlowKind> ParseFlowKind(std::string_view s);
std::optional<FlowState> ParseFlowState(std::string_view s);
std::optional<RunState> ParseRunState(std::string_view s);
std::optional<JobState> ParseJobState(std::string_view s);
std::optional<CompletionStatus> ParseCompletionStatus(std::string_view s);
std::optional<StepStatus> ParseStepStatus(std::string_view s);

// True when a job that ended this way counts as erred (blocks child stages, turns red).
bool IsError(CompletionStatus v);

}  // namespace kraken
