#include "agent/tools/tool_util.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/glob.h"

namespace kraken::tools {

namespace fs = std::filesystem;

Result<std::string> StringField(const Json& fields, const std::string& name,
                                const std::string& fallback) {
  auto it = fields.find(name);
  if (it == fields.end() || it->is_null()) return fallback;
  if (!it->is_string()) return Invalid(name, "must be a string");
  return it->get<std::string>();
}

Result<int64_t> IntField(const Json& fields, const std::string& name, int64_t fallback) {
  auto it = fields.find(name);
  if (it == fields.end() || it->is_null()) return fallback;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && *end == 0) return v;
  }
  return Invalid(name, "must be an integer");
}

Result<bool> BoolField(const Json& fields, const std::string& name, bool fallback) {
  auto it = fields.find(name);
  if (it == fields.end() || it->is_null()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) {
    std::string s = it->get<std::string>();
    if (s == "true" || s == "1" || s == "yes") return true;
    if (s == "false" || s == "0" || s == "no") return false;
  }
  return Invalid(name, "must be true or false");
}

Result<std::vector<std::string>> StringListField(const Json& fields, const std::string& name) {
  std::vector<std::string> out;
  auto it = fields.find(name);
  if (it == fields.end() || it->is_null()) return out;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
    return out;
  }
  if (!it->is_array()) return Invalid(name, "must be a string or a list of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) return Invalid(name, "must be a string or a list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string StepCwd(const ToolContext& ctx, const std::string& cwd) {
  if (cwd.empty() || cwd == ".") return ctx.workspace;
  fs::path p(cwd);
  if (p.is_absolute()) return p.string();
  return (fs::path(ctx.workspace) / p).lexically_normal().string();
}

proc::SpawnOptions SpawnOptionsFor(const ToolContext& ctx, const CommandOptions& options) {
  proc::SpawnOptions opts;
  opts.argv = options.argv;
  opts.cwd = options.cwd.empty() ? ctx.workspace : options.cwd;
  for (auto& [k, v] : ctx.env.items())
    opts.env[k] = v.is_string() ? v.get<std::string>() : v.dump();
  for (auto& [k, v] : options.env) opts.env[k] = v;
  opts.on_output = options.on_output ? options.on_output : ctx.output;
  opts.user = options.user;
  if (options.lines) opts.output_mode = proc::OutputMode::kLines;
  opts.kill_grace = std::chrono::milliseconds(2000);
  return opts;
}

namespace {

std::string NotFoundMessage(const std::string& program) {
  return program + " not found on this machine: install it in the group's init script";
}

}  // namespace

std::optional<StepOutcome> MissingProgram(const ToolContext& ctx, const std::string& program) {
  if (program.find('/') != std::string::npos) {
    // A path, e.g. the /bin/sh of shell steps: an image without a shell has none.
    if (access(program.c_str(), X_OK) == 0) return std::nullopt;
    return StepOutcome::Error(NotFoundMessage(program));
  }
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  if (auto it = ctx.env.find("PATH"); it != ctx.env.end() && it->is_string()) {
    path = it->get<std::string>();
  } else if (const char* own = std::getenv("PATH")) {
    path = own;
  }
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    struct stat info;
    if (stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
        access(candidate.c_str(), X_OK) == 0)
      return std::nullopt;
  }
  return StepOutcome::Error(NotFoundMessage(program) + " (PATH " + path + ")");
}

StepOutcome RunCommand(ToolContext& ctx, const CommandOptions& options) {
  StepOutcome out;
  proc::SpawnOptions opts = SpawnOptionsFor(ctx, options);

  // The limit is the command's own timeout, cut short by what is left of the job's.
  auto job_left = std::chrono::duration_cast<std::chrono::milliseconds>(
      ctx.job_deadline - std::chrono::steady_clock::now());
  if (job_left.count() <= 0) {
    out.reason = "job-timeout";
    out.message = "the job's time ran out before this step";
    return out;
  }
  bool job_bound = true;
  opts.timeout = job_left;
  if (options.timeout && *options.timeout < job_left) {
    opts.timeout = *options.timeout;
    job_bound = false;
  }
  if (ctx.cancel && ctx.cancel->cancelled()) {
    out.reason = "cancelled";
    return out;
  }
  auto process = ctx.runner->Spawn(opts);
  if (!process) {
    out.reason = "agent-error";
    out.message = process.error().message;
    // The agent brings no programs of its own: the machine must have them.
    const std::string& program = opts.argv.front();
    if (process.error().error_number == ENOENT &&
        out.message.starts_with("cannot run '" + program + "': command not found")) {
      out.message = NotFoundMessage(program) + " (" + out.message + ")";
    }
    return out;
  }
  if (ctx.cancel) ctx.cancel->Set(process->get());
  proc::ProcessResult r = (*process)->Wait();
  if (ctx.cancel) ctx.cancel->Set(nullptr);
  out.retcode = r.exit_code;
  out.ok = r.Succeeded();
  if (r.cancelled)
    out.reason = "cancelled";
  else if (r.timed_out)
    out.reason = job_bound ? "job-timeout" : "step-timeout";
  else if (!out.ok)
    out.reason = "exit-code";
  out.message = out.ok ? "" : proc::Describe(r);
  return out;
}

std::vector<std::string> GlobFiles(const std::string& root, const std::string& pattern) {
  std::vector<std::string> out;
  std::error_code ec;
  if (pattern.find_first_of("*?") == std::string::npos) {
    fs::path p = fs::path(pattern).is_absolute() ? fs::path(pattern) : fs::path(root) / pattern;
    if (fs::is_regular_file(p, ec)) out.push_back(pattern);
    return out;
  }
  // Walk only below the pattern's literal prefix.
  std::string prefix;
  size_t wild = pattern.find_first_of("*?");
  size_t slash = pattern.rfind('/', wild);
  if (slash != std::string::npos) prefix = pattern.substr(0, slash);
  fs::path base = fs::path(root) / prefix;
  if (!fs::is_directory(base, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(
           base, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec)) continue;
    std::string rel = fs::relative(it->path(), root, ec).generic_string();
    if (GlobMatch(pattern, rel)) out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string FreshReportPath(const std::string& dir, const std::string& name) {
  std::string path = (fs::path(dir) / fmt::format(".kraken-{}-{}.json", name, getpid())).string();
  std::error_code ec;
  fs::remove(path, ec);
  return path;
}

Result<std::string> TakeReport(const std::string& path) {
  auto text = ReadFile(path);
  std::error_code ec;
  fs::remove(path, ec);
  return text;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace kraken::tools
