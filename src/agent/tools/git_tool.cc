// The `git` tool: checks out a repository into the workspace. The agent keeps a bare mirror
// of every repository it has cloned (<cache_dir>/git/<hash>.git); a clone updates the mirror,
// which fetches only what is new, and then clones from it locally.
//
// When a commit to this repository triggered the flow (KK_TRIGGER_COMMITS, see
// exec/trigger_commits.h), that commit is checked out on the branch; otherwise the
// branch's head.
//
// `access-token` and `ssh-key` name project secrets; the server gives the step their values
// and git_credentials.h hands them to git without writing them anywhere a repository or `ps`
// would show them.
#include <fmt/format.h>

#include <filesystem>
#include <functional>

#include "agent/tools/git_credentials.h"
#include "agent/tools/tool_util.h"

namespace kraken::tools {
namespace {

namespace fs = std::filesystem;

// A branch name or repository URL as a shell word.
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// A repository URL compared loosely: "x/repo.git/", "x/repo.git" and "x/repo" are the same.
std::string SameRepoKey(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.ends_with(".git")) url.resize(url.size() - 4);
  return url;
}

bool IsCommitId(const std::string& s) {
  return s.size() >= 7 && s.size() <= 64 &&
         s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The commit that triggered the flow in this repository (and branch), or "".
std::string TriggerCommit(const ToolContext& ctx, const std::string& url,
                          const std::string& branch) {
  auto it = ctx.env.find("KK_TRIGGER_COMMITS");
  if (it == ctx.env.end() || !it->is_string()) return "";
  Json commits = Json::parse(it->get<std::string>(), nullptr, false);
  if (!commits.is_array()) return "";
  for (const Json& c : commits) {
    if (!c.is_object() || SameRepoKey(c.value("url", "")) != SameRepoKey(url)) continue;
    std::string on = c.value("branch", "");
    // A step on another branch than the trigger watched builds its own branch's head.
    if (!branch.empty() && !on.empty() && on != branch) continue;
    std::string commit = c.value("commit", "");
    if (IsCommitId(commit)) return commit;
  }
  return "";
}

std::string RepoName(const std::string& url) {
  std::string name = url;
  while (!name.empty() && name.back() == '/') name.pop_back();
  size_t slash = name.find_last_of("/:");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  if (name.ends_with(".git")) name.resize(name.size() - 4);
  return name.empty() ? "repo" : name;
}

StepOutcome RunGit(const Json& fields, ToolContext& ctx) {
  auto url = StringField(fields, "checkout");
  auto branch = StringField(fields, "branch");
  auto dest = StringField(fields, "destination");
  auto timeout = IntField(fields, "timeout", 60);
  auto ssh_key = StringField(fields, "ssh-key");
  auto token = StringField(fields, "access-token");
  for (const auto* r : {&url, &branch, &dest, &ssh_key, &token})
    if (!*r) return StepOutcome::Error(r->error().field + ": " + r->error().message);
  if (!timeout || *timeout <= 0)
    return StepOutcome::Error("timeout: must be a positive number of seconds");
  if (url->empty()) return StepOutcome::Error("checkout: the repository URL is required");
  if (auto missing = MissingProgram(ctx, "git")) return *missing;
  auto credentials = GitCredentials::FromFields(fields, *url);  // removes its key file at the end
  if (!credentials)
    return StepOutcome::Error(credentials.error().field + ": " + credentials.error().message);
  std::string cfg;
  if (auto it = fields.find("git_cfg"); it != fields.end() && !it->is_null()) {
    if (!it->is_object()) return StepOutcome::Error("git_cfg: must be a dict of name: value");
    for (auto& [k, v] : it->items())
      cfg += " -c " + Quote(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
  }
  std::string target = StepCwd(ctx, dest->empty() ? RepoName(*url) : *dest);
  if (fs::exists(target) && !fs::is_empty(target))
    return StepOutcome::Error("destination: " + target + " exists and is not empty");

  std::string cache =
      ctx.cache_dir.empty() ? ctx.workspace + "/.kraken-git" : ctx.cache_dir + "/git";
  std::error_code ec;
  fs::create_directories(cache, ec);
  std::string mirror = fmt::format("{}/{:016x}.git", cache, std::hash<std::string>{}(*url));
  CommandOptions cmd;
  cmd.timeout = std::chrono::seconds(*timeout);
  cmd.env["GIT_TERMINAL_PROMPT"] = "0";
  // Only the commands that reach the remote (the mirror's clone or fetch) get the secrets.
  CommandOptions remote = cmd;
  for (const auto& [k, v] : credentials->env()) remote.env[k] = v;
  std::string script;
  if (fs::exists(mirror + "/HEAD")) {
    ctx.Log("git: updating the mirror of " + *url + "\n");
    script = fmt::format(
        "git{} -C {} remote set-url origin {} && git{} -C {} fetch --prune --tags origin "
        "'+refs/heads/*:refs/heads/*'",
        cfg, Quote(mirror), Quote(*url), cfg, Quote(mirror));
  } else {
    ctx.Log("git: mirroring " + *url + "\n");
    script = fmt::format("rm -rf {0}.tmp && git{1} clone --mirror {2} {0}.tmp && mv {0}.tmp {0}",
                         Quote(mirror), cfg, Quote(*url));
  }
  remote.argv = proc::ShellArgv(script);
  StepOutcome r = RunCommand(ctx, remote);
  if (!r.ok) return r;
  // Clone from the mirror (hard links, no network), then point origin at the real URL.
  std::string checkout = branch->empty() ? "" : " --branch " + Quote(*branch);
  std::string commit = TriggerCommit(ctx, *url, *branch);
  std::string to_commit;
  if (!commit.empty()) {
    ctx.Log("git: checking out " + commit + ", the commit that triggered the flow\n");
    to_commit = fmt::format(" && git -C {} reset -q --hard {}", Quote(target), commit);
  }
  cmd.argv = proc::ShellArgv(
      fmt::format("git{0} clone{1} {2} {3}{5} && git -C {3} remote set-url origin {4} && git -C "
                  "{3} log -1 --format='git: at %H %s'",
                  cfg, checkout, Quote(mirror), Quote(target), Quote(*url), to_commit));
  return RunCommand(ctx, cmd);
}

}  // namespace

ToolSpec GitTool() {
  return ToolSpec{
      "git",
      "Clones a git repository into the workspace, through a per-agent mirror cache.",
      {{"checkout", "string", "Repository URL (https, ssh, git, file)", nullptr, true},
       {"branch", "string", "Branch to check out (default: the remote's HEAD)"},
       {"destination", "string", "Directory in the workspace (default: the repository name)"},
       {"git_cfg", "object", "git -c NAME=VALUE settings"},
       {"timeout", "integer|string", "Seconds for each git command", 60},
       {"ssh-key", "string", "Name of the project's ssh-key secret to clone with"},
       {"access-token", "string",
        "Name of the project's simple secret holding an HTTP(S) access token"}},
      RunGit};
}

}  // namespace kraken::tools
