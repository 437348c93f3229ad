#include "agent/shell_tool.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

namespace kraken::agent {

namespace fs = std::filesystem;

StepOutcome RunShellStep(proc::Runner& runner, const Json& fields, const StepContext& ctx) {
  StepOutcome out;
  proc::SpawnOptions opts;
  fs::path cwd = ctx.workspace;
  if (fields.contains("cwd") && fields["cwd"].is_string()) cwd /= fields["cwd"].get<std::string>();
  opts.cwd = cwd.string();
  if (fields.contains("script") && fields["script"].is_string()) {
    fs::path script = fs::path(ctx.workspace) / fmt::format(".kraken-step-{}.sh", getpid());
    std::ofstream(script) << fields["script"].get<std::string>() << "\n";
    opts.argv = proc::BashScriptArgv(script.string());
  } else if (fields.contains("cmd") && fields["cmd"].is_string()) {
    opts.argv = proc::ShellArgv(fields["cmd"].get<std::string>());
  } else {
    out.reason = "agent-error";
    out.message = "shell step needs cmd or script";
    return out;
  }
  for (auto& [k, v] : ctx.env.items()) opts.env[k] = v.is_string() ? v.get<std::string>() : v.dump();
  if (fields.contains("env") && fields["env"].is_object())
    for (auto& [k, v] : fields["env"].items())
      opts.env[k] = v.is_string() ? v.get<std::string>() : v.dump();
  if (fields.contains("user") && fields["user"].is_string()) opts.user = fields["user"];
  opts.on_output = ctx.output;
  opts.kill_grace = std::chrono::milliseconds(2000);

  // The step's limit is its own timeout, cut short by what is left of the job's.
  auto now = std::chrono::steady_clock::now();
  auto job_left = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.job_deadline - now);
  if (job_left.count() <= 0) {
    out.reason = "job-timeout";
    out.message = "the job's time ran out before this step";
    return out;
  }
  bool job_bound = true;
  opts.timeout = job_left;
  if (fields.contains("timeout")) {
    int64_t s = fields["timeout"].is_string() ? std::atoll(fields["timeout"].get<std::string>().c_str())
                                              : fields["timeout"].get<int64_t>();
    auto step_limit = std::chrono::milliseconds(s * 1000);
    if (step_limit < job_left) {
      opts.timeout = step_limit;
      job_bound = false;
    }
  }

  auto process = runner.Spawn(opts);
  if (!process) {
    out.reason = "agent-error";
    out.message = process.error().message;
    if (ctx.output) ctx.output("kraken: " + out.message + "\n");
    return out;
  }
  if (ctx.cancel) ctx.cancel->Set(process->get());
  proc::ProcessResult r = (*process)->Wait();
  if (ctx.cancel) ctx.cancel->Set(nullptr);
  out.retcode = r.exit_code;
  out.ok = r.Succeeded();
  if (r.cancelled) out.reason = "cancelled";
  else if (r.timed_out) out.reason = job_bound ? "job-timeout" : "step-timeout";
  else if (!out.ok) out.reason = "exit-code";
  out.message = out.ok ? "" : proc::Describe(r);
  return out;
}

}  // namespace kraken::agent
