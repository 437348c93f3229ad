// The agent's tools: what a step's `tool` names. A tool is a function over the step's
// fields and a ToolContext, which gives it the job's workspace and environment, a sink for
// its output, a cancel handle, the job's deadline, a Reporter for what it finds (test
// results, lint issues, artifacts, data) and, inside a job, JobServices to reach the server.
// The same tools run in a job on an agent and locally under `kraken tool run`.
//
// Every tool declares its fields (name, JSON type, default, description) in its ToolSpec;
// FieldsSchema() turns them into the JSON Schema that a stage validator can check steps
// against. Tools are stateless; one step runs at a time per ToolContext.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "proc/runner.h"
#include "results/result_record.h"

namespace kraken::tools {

struct StepOutcome {
  bool ok = false;
  int64_t retcode = -1;
  std::string reason;  // "", exit-code, step-timeout, job-timeout, cancelled, agent-error
  std::string message;

  static StepOutcome Done() { return StepOutcome{true, 0, "", ""}; }
  // A failure the step's configuration or its input caused (reason agent-error).
  static StepOutcome Error(std::string message) {
    return StepOutcome{false, -1, "agent-error", std::move(message)};
  }
};

// Lets another thread stop the running step: the process it runs, and any tool loop that
// checks cancelled().
class CancelHandle {
 public:
  void Set(proc::Process* p) {
    std::lock_guard lock(mu_);
    process_ = p;
    if (p && cancelled_) p->Cancel();
  }
  void Cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    if (process_) process_->Cancel();
  }
  bool cancelled() {
    std::lock_guard lock(mu_);
    return cancelled_;
  }

 private:
  std::mutex mu_;
  proc::Process* process_ = nullptr;  // GUARDED_BY(mu_)
  bool cancelled_ = false;            // GUARDED_BY(mu_)
};

// Where a tool's findings go: to the server in batches (in a job) or to stdout as JSON
// lines (`kraken tool run`). Called from the tool's thread only.
class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void Result(results::ResultRecord record) = 0;
  // {path, line, column, symbol, message, type}
  virtual void Issue(Json issue) = 0;
  // What a tool did that is recorded elsewhere (an uploaded artifact, stored data): shown
  // by `kraken tool run`, ignored in a job since the server recorded it already.
  virtual void Note(std::string_view kind, Json item) {}
};

// The server as the running job sees it. Implemented by the agent; absent (null) outside a
// job, where tools that need the server say so.
class JobServices {
 public:
  virtual ~JobServices() = default;
  // POST /agent/v1/jobs/{job}/<path> with body.
  virtual Result<Json> Call(const std::string& path, const Json& body) = 0;
  // Sends a file to, or fetches one from, a short-lived URL the server handed out.
  virtual Status Upload(const std::string& url, const std::string& file) = 0;
  virtual Status Download(const std::string& url, const std::string& file) = 0;
};

// Runs a step's command in the background while the job goes on, until it ends (`shell`
// with `background: true`, as in Kraken CI). Implemented by the agent, per job.
class Background {
 public:
  virtual ~Background() = default;
  // Starts the command (the options' on_output is replaced); an error if it cannot start.
  virtual Status Start(proc::SpawnOptions options) = 0;
};

struct ToolContext {
  std::string workspace;      // absolute; step cwd fields are relative to it
  Json env = Json::object();  // from the server: branch variables, KK_*
  std::chrono::steady_clock::time_point job_deadline;
  std::function<void(std::string_view)> output;  // the step's log
  CancelHandle* cancel = nullptr;
  proc::Runner* runner = nullptr;
  Reporter* reporter = nullptr;
  JobServices* services = nullptr;
  std::string cache_dir;             // survives jobs: git mirrors
  Background* background = nullptr;  // none under `kraken tool run`
  // The secret values the step's fields hold (the server names them): kept off command
  // lines, where any user of the host could read them.
  std::vector<std::string> secrets;
  void Log(std::string_view text) const {
    if (output) output(text);
  }
};

struct FieldSpec {
  std::string name;
  std::string type;  // JSON Schema type: string, integer, boolean, object, array, "string|array"
  std::string description;
  Json default_value = nullptr;
  bool required = false;
};

struct ToolSpec {
  std::string name;
  std::string description;
  std::vector<FieldSpec> fields;
  std::function<StepOutcome(const Json& fields, ToolContext& ctx)> run;
};

// Every built-in tool, in a fixed order.
const std::vector<ToolSpec>& AllTools();
// The tool named `name`, or null.
const ToolSpec* FindTool(std::string_view name);
// JSON Schema of a tool's fields: {"type":"object","properties":{...},"required":[...]}.
// The common step fields (tool, name, when, timeout, ...) are left to the stage validator.
Json FieldsSchema(const ToolSpec& tool);

// The tools' specs, one per file.
ToolSpec ShellTool();
ToolSpec GitTool();
ToolSpec ArtifactsTool();
ToolSpec CacheTool();
ToolSpec JunitCollectTool();
ToolSpec PytestTool();
ToolSpec GotestTool();
ToolSpec ValuesCollectTool();
ToolSpec DataTool();
ToolSpec RndtestTool();
ToolSpec PylintTool();
ToolSpec ClocTool();
ToolSpec NglintTool();
ToolSpec LocalTool();

}  // namespace kraken::tools
