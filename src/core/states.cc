#include "core/states.h"

#include <array>
#include <utility>

namespace kraken {
namespace {

template <typename E, size_t N>
using Table = std::array<std::pair<E, std::string_view>, N>;

constexpr Table<FlowKind, 2> kFlowKinds{{{FlowKind::kCi, "ci"}, {FlowKind::kDev, "dev"}}};
constexpr Table<FlowState, 2> kFlowStates{
    {{FlowState::kInProgress, "in-progress"}, {FlowState::kCompleted, "completed"}}};
constexpr Table<RunState, 5> kRunStates{{{RunState::kCreating, "creating"},
                                         {RunState::kInProgress, "in-progress"},
                                         {RunState::kManual, "manual"},
                                         {RunState::kCompleted, "completed"},
                                         {RunState::kProcessed, "processed"}}};
constexpr Table<JobState, 4> kJobStates{{{JobState::kQueued, "queued"},
                                         {JobState::kAssigned, "assigned"},
                                         {JobState::kExecutingFinished, "executing-finished"},
                                         {JobState::kCompleted, "completed"}}};
constexpr Table<CompletionStatus, 12> kCompletion{{
    {CompletionStatus::kNone, ""},
    {CompletionStatus::kOk, "ok"},
    {CompletionStatus::kStepError, "step-error"},
    {CompletionStatus::kJobTimeout, "job-timeout"},
    {CompletionStatus::kStepTimeout, "step-timeout"},
    {CompletionStatus::kAgentError, "agent-error"},
    {CompletionStatus::kAgentLost, "agent-lost"},
    {CompletionStatus::kUserCancel, "user-cancel"},
    {CompletionStatus::kNoAgents, "no-agents"},
    {CompletionStatus::kMissingGroup, "missing-group"},
    {CompletionStatus::kPreempted, "preempted"},
    {CompletionStatus::kServerTimeout, "server-timeout"},
}};
constexpr Table<StepStatus, 5> kStepStatuses{{{StepStatus::kNotStarted, "not-started"},
                                              {StepStatus::kInProgress, "in-progress"},
                                              {StepStatus::kDone, "done"},
                                              {StepStatus::kError, "error"},
                                              {StepStatus::kSkipped, "skipped"}}};

template <typename E, size_t N>
std::string_view Find(const Table<E, N>& t, E v) {
  for (const auto& [e, s] : t)
    if (e == v) return s;
  return "?";
}

template <typename E, size_t N>
std::optional<E> Parse(const Table<E, N>& t, std::string_view s) {
  for (const auto& [e, name] : t)
    if (name == s) return e;
  return std::nullopt;
}

}  // namespace

std::string_view Name(FlowKind v) { return Find(kFlowKinds, v); }
std::string_view Name(FlowState v) { return Find(kFlowStates, v); }
std::string_view Name(RunState v) { return Find(kRunStates, v); }
std::string_view Name(JobState v) { return Find(kJobStates, v); }
std::string_view Name(CompletionStatus v) { return Find(kCompletion, v); }
std::string_view Name(StepStatus v) { return Find(kStepStatuses, v); }

std::optional<FlowKind> ParseFlowKind(std::string_view s) { return Parse(kFlowKinds, s); }
std::optional<FlowState> ParseFlowState(std::string_view s) { return Parse(kFlowStates, s); }
std::optional<RunState> ParseRunState(std::string_view s) { return Parse(kRunStates, s); }
std::optional<JobState> ParseJobState(std::string_view s) { return Parse(kJobStates, s); }
std::optional<CompletionStatus> ParseCompletionStatus(std::string_view s) {
  return Parse(kCompletion, s);
}
std::optional<StepStatus> ParseStepStatus(std::string_view s) { return Parse(kStepStatuses, s); }

bool IsError(CompletionStatus v) {
  return v != CompletionStatus::kOk && v != CompletionStatus::kNone;
}

}  // namespace kraken
