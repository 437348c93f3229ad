// The `shell` tool: runs `cmd` (with /bin/sh -c) or `script` (a bash file that stops at the
// first failing command) in the job's workspace, with its output streamed to the job log.
// `shell_exe` names another shell (run as `SHELL -c CMD` or `SHELL SCRIPT`).
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/tools/step_secrets.h"
#include "agent/tools/tool_util.h"
#include "proc/user_db.h"

namespace kraken::tools {
namespace {

// The environment variable that carries a `cmd` holding a secret to the shell.
constexpr char kStepCmdEnv[] = "KK_STEP_CMD";

// `sh -c CMD` puts CMD on the shell's command line, which every user of the host can read
// (ps, /proc/PID/cmdline). A CMD holding a secret value goes through the environment
// instead (readable only by the step's own user), and the command line shows only the
// reference; the shell takes the text out of its environment before running it, so the
// commands it starts do not inherit it.
bool HoldsSecret(const std::string& cmd, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets)
    if (!s.empty() && cmd.find(s) != std::string::npos) return true;
  return false;
}

// A file the step's shell reads (its `script`, or a `cmd` with a secret for a `shell_exe`):
// created readable by its owner alone, given to the step's `user` if it has one, and
// removed when the step ends unless kept for a background command.
class StepFile {
 public:
  StepFile() = default;
  StepFile(const StepFile&) = delete;
  StepFile& operator=(const StepFile&) = delete;
  ~StepFile() {
    if (!path_.empty() && !keep_) ::unlink(path_.c_str());
  }
  Status Write(const std::string& dir, const std::string& text, const std::string& user) {
    path_ = fmt::format("{}/.kraken-step-{}.sh", dir, getpid());
    ::unlink(path_.c_str());
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
      return Fail(ErrorCode::kInternal, "cannot write " + path_ + ": " + std::strerror(errno));
    std::string body = text + "\n";
    bool written = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
    ::close(fd);
    if (!written) return Fail(ErrorCode::kInternal, "cannot write " + path_);
    if (!user.empty()) {
      auto owner = proc::LookUpUser(user);
      if (!owner || ::chown(path_.c_str(), owner->uid, owner->gid) != 0)
        return Invalid("user", "cannot give the step's script to user " + user);
    }
    return {};
  }
  const std::string& path() const { return path_; }
  void Keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

// `ssh-key: NAME`, as in Kraken CI: the command runs under an ssh-agent holding the key
// (SSH_AUTH_SOCK and SSH_AGENT_PID set). ssh-agent runs the command as its child and ends
// with it; the key file is removed as soon as the agent has it, and its directory (`key`)
// when the step ends. Why not, when it cannot.
std::optional<StepOutcome> UnderSshAgent(const Json& fields, ToolContext& ctx,
                                         const std::string& secret_name, CommandOptions& cmd,
                                         SshKeyFile& key) {
  if (auto missing = MissingProgram(ctx, "ssh-agent")) return *missing;
  auto secret = AttachedSecret(fields, "ssh-key");
  if (!secret) return StepOutcome::Error("ssh-key: " + secret.error().message);
  auto written = SshKeyFile::Write(secret->value("key", ""));
  if (!written) return StepOutcome::Error("ssh-key: " + written.error().message);
  key = std::move(*written);
  // A step run as another user gets the key as that user's.
  if (!cmd.user.empty()) {
    auto user = proc::LookUpUser(cmd.user);
    if (!user || ::chown(key.dir().c_str(), user->uid, user->gid) != 0 ||
        ::chown(key.path().c_str(), user->uid, user->gid) != 0)
      return StepOutcome::Error("ssh-key: cannot give the key to user " + cmd.user);
  }
  std::vector<std::string> argv = {
      "ssh-agent",
      "-a",
      key.dir() + "/agent.sock",
      "/bin/sh",
      "-c",
      "SSH_ASKPASS_REQUIRE=never ssh-add -q \"$0\" </dev/null || "
      "{ echo 'ssh-key: ssh-add refused the key of secret '\"$1\" >&2; exit 255; }; "
      "rm -f \"$0\"; shift; exec \"$@\"",
      key.path(),
      secret_name};
  argv.insert(argv.end(), cmd.argv.begin(), cmd.argv.end());
  cmd.argv = std::move(argv);
  return std::nullopt;
}

StepOutcome RunShell(const Json& fields, ToolContext& ctx) {
  CommandOptions cmd;
  auto cwd = StringField(fields, "cwd");
  auto user = StringField(fields, "user");
  auto shell = StringField(fields, "shell_exe");
  auto ssh_key = StringField(fields, "ssh-key");
  auto timeout = IntField(fields, "timeout", 0);
  auto background = BoolField(fields, "background", false);
  for (const auto* r : {&cwd, &user, &shell, &ssh_key})
    if (!*r) return StepOutcome::Error(r->error().field + ": " + r->error().message);
  if (!timeout) return StepOutcome::Error("timeout: " + timeout.error().message);
  if (!background) return StepOutcome::Error("background: " + background.error().message);
  if (*background && !ctx.background)
    return StepOutcome::Error("background: background steps run only in a job");
  cmd.cwd = StepCwd(ctx, *cwd);
  const bool has_cmd = fields.contains("cmd") && fields["cmd"].is_string();
  const bool secret_cmd = has_cmd && HoldsSecret(fields["cmd"].get<std::string>(), ctx.secrets);
  StepFile file;
  if (fields.contains("script") && fields["script"].is_string()) {
    if (auto st = file.Write(ctx.workspace, fields["script"].get<std::string>(), *user); !st)
      return StepOutcome::Error(st.error().message);
    cmd.argv = shell->empty() ? proc::BashScriptArgv(file.path())
                              : std::vector<std::string>{*shell, file.path()};
  } else if (secret_cmd && shell->empty()) {
    cmd.env[kStepCmdEnv] = fields["cmd"].get<std::string>();
    cmd.argv = proc::ShellArgv(
        fmt::format("__kk_step_cmd=\"${0}\"; unset {0}; eval \"$__kk_step_cmd\"", kStepCmdEnv));
  } else if (secret_cmd) {
    // Another shell may not know `eval`: it reads the command from a file (SHELL FILE).
    if (auto st = file.Write(ctx.workspace, fields["cmd"].get<std::string>(), *user); !st)
      return StepOutcome::Error(st.error().message);
    cmd.argv = {*shell, file.path()};
  } else if (fields.contains("cmd") && fields["cmd"].is_string()) {
    cmd.argv = shell->empty()
                   ? proc::ShellArgv(fields["cmd"].get<std::string>())
                   : std::vector<std::string>{*shell, "-c", fields["cmd"].get<std::string>()};
  } else {
    return StepOutcome::Error("shell step needs cmd or script");
  }
  if (fields.contains("env") && fields["env"].is_object())
    for (auto& [k, v] : fields["env"].items())
      cmd.env[k] = v.is_string() ? v.get<std::string>() : v.dump();
  if (*timeout > 0) cmd.timeout = std::chrono::seconds(*timeout);
  cmd.user = *user;
  // The shell itself comes from the machine (an image may have none).
  if (auto missing = MissingProgram(ctx, cmd.argv.front())) return *missing;
  SshKeyFile key;  // removed, with its folder, when the step ends
  if (!ssh_key->empty())
    if (auto failed = UnderSshAgent(fields, ctx, *ssh_key, cmd, key)) return *failed;
  if (*background) {
    // As in Kraken CI: the step is done once its command has started; the command runs on
    // while the next steps do, its output going to their logs, until the job ends.
    if (!ssh_key->empty()) return StepOutcome::Error("ssh-key: not available to a background step");
    file.Keep();  // the command reads it after this step has ended
    proc::SpawnOptions options = SpawnOptionsFor(ctx, cmd);
    // Its own limit, if any; the job's end stops it anyway.
    options.timeout = cmd.timeout.value_or(std::chrono::milliseconds(0));
    if (auto started = ctx.background->Start(std::move(options)); !started)
      return StepOutcome::Error("background: " + started.error().message);
    ctx.Log("kraken: started in the background; it runs until the job ends\n");
    return StepOutcome::Done();
  }
  return RunCommand(ctx, cmd);
}

}  // namespace

ToolSpec ShellTool() {
  return ToolSpec{
      "shell",
      "Runs a shell command or a bash script in the job's workspace.",
      {{"cmd", "string", "Command run with /bin/sh -c"},
       {"script", "string", "Bash script; stops at the first failing command"},
       {"cwd", "string", "Working directory, relative to the workspace", "."},
       {"env", "object", "Extra environment variables"},
       {"timeout", "integer|string", "Seconds before the step is stopped"},
       {"user", "string", "Run as this user (the agent must be root)"},
       {"shell_exe", "string", "Shell to run cmd (SHELL -c CMD) or script (SHELL FILE) with"},
       {"background", "boolean",
        "Run in the background until the job ends; the step is done once started", false},
       {"ssh-key", "string",
        "Name of an ssh-key secret: the command runs under an ssh-agent holding its key"}},
      RunShell};
}

}  // namespace kraken::tools
