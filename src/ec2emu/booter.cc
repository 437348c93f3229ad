#include "ec2emu/booter.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "ec2emu/netns_forwarder.h"

extern char** environ;

namespace kraken::ec2emu {
namespace fs = std::filesystem;
namespace {

std::string ShQuote(const std::string& value) {
  std::string out = "'";
  for (char c : value) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Status WriteFile(const fs::path& path, const std::string& text, fs::perms perms) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Fail(ErrorCode::kInternal, "cannot write " + path.string());
  std::error_code ec;
  fs::permissions(path, perms, ec);
  return {};
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Starts argv[0] (searched in PATH) with stdin from /dev/null and stdout and stderr
// appended to `log` (or /dev/null), as a new session when `new_session` is set.
Result<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& log, bool new_session,
                    char** env = environ) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  const char* out = log.empty() ? "/dev/null" : log.c_str();
  posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);  // the server blocks SIGTERM in its threads
  short flags = POSIX_SPAWN_SETSIGMASK;
  if (new_session) flags |= POSIX_SPAWN_SETSID;
  posix_spawnattr_setflags(&attr, flags);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), env);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Fail(ErrorCode::kInternal, "cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  return pid;
}

Status Run(const std::vector<std::string>& argv) {
  KR_ASSIGN(pid_t pid, Spawn(argv, "", false));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    return Fail(ErrorCode::kInternal, "`" + line + "` failed");
  }
  return {};
}

void KillAndReap(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
}

// The instance's own empty file system parts, created under its directory.
Status MakeTree(const fs::path& root) {
  std::error_code ec;
  for (const char* dir :
       {"fs/var/lib/cloud", "fs/var/log", "fs/usr/local/bin", "fs/tmp", "fs/root"})
    fs::create_directories(root / dir, ec);
  if (ec) return Fail(ErrorCode::kInternal, "cannot create " + root.string() + ": " + ec.message());
  fs::permissions(root / "fs/tmp", fs::perms::all | fs::perms::sticky_bit, ec);
  return {};
}

}  // namespace

std::vector<int> LoopbackPorts(const std::string& script) {
  static const std::regex kUrl(R"((?:127\.0\.0\.1|localhost|\[::1\]):(\d{1,5}))");
  std::set<int> ports;
  for (auto it = std::sregex_iterator(script.begin(), script.end(), kUrl);
       it != std::sregex_iterator(); ++it) {
    int port = std::stoi((*it)[1].str());
    if (port > 0 && port < 65536) ports.insert(port);
  }
  return {ports.begin(), ports.end()};
}

// ---- NetnsBooter ----

struct NetnsBooter::Machine {
  fs::path root;
  std::string netns;
  pid_t pid = 0;  // `ip netns exec` turned `unshare`, the parent of the instance's init
  std::vector<std::unique_ptr<NetnsForwarder>> forwarders;
};

NetnsBooter::NetnsBooter(std::string work_dir, std::vector<int> extra_ports,
                         std::map<std::string, std::string> images)
    : work_dir_(std::move(work_dir)),
      extra_ports_(std::move(extra_ports)),
      images_(std::move(images)) {}

NetnsBooter::~NetnsBooter() {
  while (!machines_.empty()) Halt(machines_.begin()->first);  // no other thread is left
}

bool NetnsBooter::Supported() { return geteuid() == 0 && access("/usr/sbin/ip", X_OK) == 0; }

namespace {

// The init of an instance on the host's file system: its own /var, /usr/local, /root, /tmp.
std::string HostInit() {
  return R"sh(mount --make-rprivate /
for dir in var usr/local root tmp; do mount --bind "$root/fs/$dir" "/$dir"; done
export HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cd /
echo "kraken ec2-emulator: running user data"
bash /var/lib/cloud/user-data
echo "kraken ec2-emulator: user data exited with status $?"
trap 'exit 0' TERM
while :; do sleep 3600 & wait $!; done
)sh";
}

// The init of an instance booted from a root filesystem: the image, read-only, under a
// writable layer of the instance's own; fresh /proc, /tmp and /dev/shm; of the host's /dev
// only null, zero, full, random, urandom and tty. The user data runs by its own
// interpreter line, as cloud-init runs it, with the image's programs only.
std::string RootedInit(const std::string& image_dir) {
  return "image=" + ShQuote(image_dir) + "\n" + R"sh(set -e
mount --make-rprivate /
m="$root/merged"
mkdir -p "$root/upper" "$root/work" "$m"
mount -t overlay overlay -o "lowerdir=$image,upperdir=$root/upper,workdir=$root/work" "$m"
mkdir -p "$m/proc" "$m/dev" "$m/tmp" "$m/var/lib/cloud" "$m/etc" "$m/root"
mount -t proc proc "$m/proc"
mount -t tmpfs -o mode=1777 tmpfs "$m/tmp"
mount -t tmpfs -o mode=755 tmpfs "$m/dev"
for d in null zero full random urandom tty; do
  touch "$m/dev/$d"
  mount --bind "/dev/$d" "$m/dev/$d"
done
mkdir "$m/dev/shm" "$m/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$m/dev/shm"
ln -s /proc/self/fd "$m/dev/fd"
ln -s /proc/self/fd/0 "$m/dev/stdin"
ln -s /proc/self/fd/1 "$m/dev/stdout"
ln -s /proc/self/fd/2 "$m/dev/stderr"
printf '127.0.0.1 localhost %s\n::1 localhost\n' "$(hostname)" >"$m/etc/hosts"
cp "$root/fs/var/lib/cloud/user-data" "$m/var/lib/cloud/user-data"
chmod 0700 "$m/var/lib/cloud/user-data"
set +e
exec chroot "$m" /bin/sh -c '
export HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cd /
if [ -r /etc/os-release ]; then (. /etc/os-release; echo "$PRETTY_NAME"); fi
echo "kraken ec2-emulator: running user data"
/var/lib/cloud/user-data
echo "kraken ec2-emulator: user data exited with status $?"
trap "exit 0" TERM
while :; do sleep 3600 & wait $!; done'
)sh";
}

}  // namespace

Status NetnsBooter::Boot(const std::string& instance_id, const std::string& image_id,
                         const std::string& user_data) {
  {
    std::lock_guard lock(mu_);
    if (machines_.count(instance_id)) return Conflict(instance_id + " is already booted");
  }
  auto machine = std::make_unique<Machine>();
  machine->root = fs::path(work_dir_) / instance_id;
  machine->netns = "kraken-" + instance_id;
  KR_TRY(MakeTree(machine->root));
  KR_TRY(WriteFile(machine->root / "fs/var/lib/cloud/user-data", user_data, fs::perms::owner_all));
  // PID 1 of the instance: its host name is its id; it puts the instance's own file system
  // in place, runs the user data as cloud-init would, then stays up like a machine's init.
  auto image = images_.find(image_id);
  std::string init = "#!/bin/bash\nroot=" + ShQuote(machine->root.string()) + "\nhostname " +
                     ShQuote(instance_id) + "\n" + R"sh(exec >>"$root/console.log" 2>&1
)sh" + (image != images_.end() ? RootedInit(image->second) : HostInit());
  KR_TRY(WriteFile(machine->root / "init.sh", init, fs::perms::owner_all));
  KR_TRY(Run({"ip", "netns", "add", machine->netns}));

  std::set<int> ports(extra_ports_.begin(), extra_ports_.end());
  for (int port : LoopbackPorts(user_data)) ports.insert(port);
  for (int port : ports) {
    auto forwarder = std::make_unique<NetnsForwarder>();
    if (auto st = forwarder->Start("/var/run/netns/" + machine->netns, port); !st) {
      Run({"ip", "netns", "del", machine->netns});
      return st;
    }
    machine->forwarders.push_back(std::move(forwarder));
  }
  auto pid = Spawn(
      {"ip", "netns", "exec", machine->netns, "unshare", "--mount", "--pid", "--uts", "--fork",
       "--kill-child", "--mount-proc", "bash", (machine->root / "init.sh").string()},
      (machine->root / "console.log").string(), /*new_session=*/true);
  if (!pid) {
    for (auto& f : machine->forwarders) f->Stop();
    Run({"ip", "netns", "del", machine->netns});
    return tl::unexpected(pid.error());
  }
  machine->pid = *pid;
  std::lock_guard lock(mu_);
  machines_[instance_id] = std::move(machine);
  return {};
}

void NetnsBooter::Halt(const std::string& instance_id) {
  std::unique_ptr<Machine> machine;
  {
    std::lock_guard lock(mu_);
    auto it = machines_.find(instance_id);
    if (it == machines_.end()) return;
    machine = std::move(it->second);
    machines_.erase(it);
  }
  Machine& m = *machine;
  KillAndReap(m.pid);  // --kill-child: the instance's init dies, and with it every process
  for (auto& f : m.forwarders) f->Stop();
  (void)Run({"ip", "netns", "del", m.netns});
  std::error_code ec;
  fs::remove_all(m.root, ec);
}

std::string NetnsBooter::Console(const std::string& instance_id) {
  return ReadFile(fs::path(work_dir_) / instance_id / "console.log");
}

// ---- ProcessBooter ----

ProcessBooter::ProcessBooter(std::string work_dir) : work_dir_(std::move(work_dir)) {}

ProcessBooter::~ProcessBooter() {
  while (!sessions_.empty()) Halt(sessions_.begin()->first);  // no other thread is left
}

Status ProcessBooter::Boot(const std::string& instance_id, const std::string& /*image_id*/,
                           const std::string& user_data) {
  {
    std::lock_guard lock(mu_);
    if (sessions_.count(instance_id)) return Conflict(instance_id + " is already booted");
  }
  fs::path root = fs::path(work_dir_) / instance_id;
  KR_TRY(MakeTree(root));
  // The paths the Kraken user data writes, moved into the instance's directory.
  std::string script = user_data;
  const std::string fs_root = (root / "fs").string();
  for (const char* path : {"/var/lib/kraken-agent", "/usr/local/bin/kraken", "/var/log/"})
    ReplaceAll(script, path, fs_root + path);
  KR_TRY(WriteFile(root / "fs/var/lib/cloud/user-data", script, fs::perms::owner_all));
  std::vector<std::string> env_text = {"HOME=" + fs_root + "/root", "TMPDIR=" + fs_root + "/tmp",
                                       "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"};
  std::vector<char*> env;
  for (std::string& e : env_text) env.push_back(e.data());
  env.push_back(nullptr);
  KR_ASSIGN(pid_t pid, Spawn({"bash", (root / "fs/var/lib/cloud/user-data").string()},
                             (root / "console.log").string(), /*new_session=*/true, env.data()));
  std::lock_guard lock(mu_);
  sessions_[instance_id] = pid;
  return {};
}

void ProcessBooter::Halt(const std::string& instance_id) {
  pid_t sid = 0;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(instance_id);
    if (it == sessions_.end()) return;
    sid = it->second;
    sessions_.erase(it);
  }
  // Every process of the session, the agent's steps in their own process groups included.
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::stoi(name);
    if (pid != sid && getsid(pid) == sid) kill(pid, SIGKILL);
  }
  KillAndReap(sid);
  std::error_code ec;
  fs::remove_all(fs::path(work_dir_) / instance_id, ec);
}

std::string ProcessBooter::Console(const std::string& instance_id) {
  return ReadFile(fs::path(work_dir_) / instance_id / "console.log");
}

}  // namespace kraken::ec2emu
