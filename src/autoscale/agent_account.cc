#include "autoscale/agent_account.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>

#include "proc/runner.h"

namespace kraken::autoscale {

namespace fs = std::filesystem;

namespace {

std::mutex account_mu;  // guards creating the user and copying the binary

std::optional<AgentAccount> LookUp(const char* name) {
  struct passwd* pw = getpwnam(name);
  if (!pw) return std::nullopt;
  return AgentAccount{name, pw->pw_uid, pw->pw_gid};
}

Status CreateUser() {
  proc::SpawnOptions so;
  so.argv = {"useradd",       "--system", "--user-group",      "--home-dir", kAgentHome,
             "--create-home", "--shell",  "/usr/sbin/nologin", "--comment",  "Kraken local agents",
             kAgentUser};
  std::string output;
  so.on_output = [&output](std::string_view bytes) { output += bytes; };
  so.timeout = std::chrono::seconds(30);
  auto done = proc::RealRunner().Run(so);
  if (!done)
    return Fail(ErrorCode::kInternal, std::string("cannot run useradd: ") + done.error().message);
  if (!done->Succeeded())
    return Fail(ErrorCode::kInternal, "useradd " + std::string(kAgentUser) + " failed (" +
                                          proc::Describe(*done) + "): " + output);
  return {};
}

}  // namespace

Result<AgentAccount> EnsureAgentAccount() {
  if (geteuid() != 0) return AgentAccount{"", geteuid(), getegid()};
  std::lock_guard lock(account_mu);
  if (auto found = LookUp(kAgentUser)) return *found;
  KR_TRY(CreateUser());
  if (auto found = LookUp(kAgentUser)) return *found;
  return Fail(ErrorCode::kInternal, std::string("useradd did not create ") + kAgentUser);
}

std::string DefaultAgentsDir(const std::string& data_dir) {
  if (geteuid() == 0) return kAgentsDir;
  return (fs::absolute(data_dir).parent_path() / "kraken-agents").string();
}

Status MakeAgentWorkDir(const AgentAccount& account, const fs::path& agents_dir,
                        const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);
  if (ec)
    return Fail(ErrorCode::kInternal,
                "cannot create " + dir.parent_path().string() + ": " + ec.message());
  // The folders from agents_dir down: the server's, passable by the agents only (an agent
  // that could write one could swap another agent's folder for a link).
  for (fs::path p = dir.parent_path();; p = p.parent_path()) {
    struct stat st {};
    if (lstat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
      return Fail(ErrorCode::kInternal,
                  p.string() + " must be a folder of the server's own user (agents' work dirs)");
    if (chmod(p.c_str(), 0711) != 0)
      return Fail(ErrorCode::kInternal, "cannot chmod " + p.string() + ": " + strerror(errno));
    if (p == agents_dir || p == p.parent_path()) break;
  }
  // Kept from an earlier start (an agent resumes its identity), or new.
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Fail(ErrorCode::kInternal, "cannot create " + dir.string() + ": " + strerror(errno));
  struct stat st {};
  if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Fail(ErrorCode::kInternal, dir.string() + " must be a folder");
  if (chmod(dir.c_str(), 0700) != 0 ||
      (!account.user.empty() && chown(dir.c_str(), account.uid, account.gid) != 0))
    return Fail(ErrorCode::kInternal,
                "cannot give " + dir.string() + " to " + account.user + ": " + strerror(errno));
  return {};
}

Result<std::string> AgentBinary(const AgentAccount& account, const std::string& binary,
                                const fs::path& agents_dir) {
  if (account.user.empty()) return binary;
  std::lock_guard lock(account_mu);
  fs::path copy = agents_dir / "kraken";
  std::error_code ec;
  fs::create_directories(agents_dir, ec);
  struct stat from {
  }, to{};
  if (stat(binary.c_str(), &from) != 0)
    return Fail(ErrorCode::kInternal, "cannot stat " + binary + ": " + strerror(errno));
  if (stat(copy.c_str(), &to) == 0 && to.st_size == from.st_size && to.st_mtime >= from.st_mtime)
    return copy.string();
  fs::path tmp = copy.string() + ".new";
  fs::copy_file(binary, tmp, fs::copy_options::overwrite_existing, ec);
  if (!ec) fs::permissions(tmp, fs::perms(0755), ec);
  if (!ec) fs::rename(tmp, copy, ec);
  if (ec)
    return Fail(ErrorCode::kInternal,
                "cannot copy the agent program to " + copy.string() + ": " + ec.message());
  return copy.string();
}

void RunAs(const AgentAccount& account, proc::SpawnOptions& options) {
  if (account.user.empty()) return;
  options.user = account.user;
  options.inherit_env = false;
  options.env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  for (const char* name : {"PATH", "LANG", "LC_ALL", "TZ"})
    if (const char* value = std::getenv(name)) options.env[name] = value;
}

std::vector<std::string> SandboxArgv(const std::string& data_dir, const std::string& agents_dir) {
  std::vector<std::string> argv;
  for (const std::string& dir : {data_dir, agents_dir}) {
    if (dir.empty()) continue;
    std::error_code ec;
    fs::path path = fs::weakly_canonical(fs::absolute(dir), ec);
    argv.insert(argv.end(), {"--hide", ec ? fs::absolute(dir).string() : path.string()});
  }
  return argv;
}

}  // namespace kraken::autoscale
