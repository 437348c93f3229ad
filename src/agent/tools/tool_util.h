// Helpers the tools share: reading step fields with errors that name the field, resolving
// the step's working directory inside the workspace, and running one command with the
// step's environment, output, deadline and cancel handle. Stateless; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/tools/tool.h"

namespace kraken::tools {

// Field readers: the value, the fallback when the field is absent, or an Error naming the
// field when it has the wrong type. Integers may be given as numeric strings.
Result<std::string> StringField(const Json& fields, const std::string& name,
                                const std::string& fallback = {});
Result<int64_t> IntField(const Json& fields, const std::string& name, int64_t fallback);
Result<bool> BoolField(const Json& fields, const std::string& name, bool fallback);
// A string or a list of strings; empty when absent.
Result<std::vector<std::string>> StringListField(const Json& fields, const std::string& name);

// The step's working directory: workspace/cwd. Relative paths only stay inside the
// workspace by convention; an absolute cwd is used as given.
std::string StepCwd(const ToolContext& ctx, const std::string& cwd);

struct CommandOptions {
  std::vector<std::string> argv;
  std::string cwd;
  std::map<std::string, std::string> env;            // on top of the context's env
  std::optional<std::chrono::milliseconds> timeout;  // also cut to the job's deadline
  // Output goes to the step log unless this is set.
  std::function<void(std::string_view)> on_output;
  bool lines = false;  // deliver on_output one line at a time
  std::string user;    // run as this user; empty: as the agent
};

// The process options RunCommand uses: the context's environment and log, the command's
// own settings on top; no time limit.
proc::SpawnOptions SpawnOptionsFor(const ToolContext& ctx, const CommandOptions& options);

// The agent brings no programs of its own: the machine's are used. Empty when `program` is
// an executable of the step's PATH (or, given as a path, is executable); otherwise the
// step's failure (agent-error)
// saying "<program> not found on this machine: install it in the group's init script".
std::optional<StepOutcome> MissingProgram(const ToolContext& ctx, const std::string& program);

// Runs the command to its end. ok when it exited 0; otherwise the reason (exit-code,
// step-timeout, job-timeout, cancelled, agent-error) and a message.
StepOutcome RunCommand(ToolContext& ctx, const CommandOptions& options);

// Files under root matching a glob pattern relative to root, sorted. `*` and `?` match
// within one path segment, `**` any number of segments (including none). A pattern with no
// wildcard names one file. Directories are not returned.
std::vector<std::string> GlobFiles(const std::string& root, const std::string& pattern);

// Reads a whole file; an Error naming it when it cannot.
Result<std::string> ReadFile(const std::string& path);

// Where a command writes a report for its tool: `<dir>/.kraken-<name>-<pid>.json`, with any
// stale file of that name removed.
std::string FreshReportPath(const std::string& dir, const std::string& name);
// The report's text; the file is removed either way.
Result<std::string> TakeReport(const std::string& path);

// `s` in single quotes for /bin/sh, with any single quote in it escaped.
std::string ShellQuote(const std::string& s);

}  // namespace kraken::tools
