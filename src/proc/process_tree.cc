#include "proc/process_tree.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include "proc/proc_fs.h"
#include "proc/reaper.h"

namespace kraken::proc {
namespace {

// Bounds the kill loop for members that linger in uninterruptible sleep.
constexpr int kMaxKillRounds = 50;
constexpr int kMaxFreezeRounds = 20;
constexpr auto kKillRoundPause = std::chrono::milliseconds(10);

}  // namespace

ProcessTree::ProcessTree(pid_t root, std::string marker)
    : root_(root), marker_(std::move(marker)) {}

std::string ProcessTree::NewMarker() {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t salt = std::random_device{}();
  return "KRAKEN_PROCESS_TREE=" + std::to_string(getpid()) + "." + std::to_string(counter++) + "." +
         std::to_string(salt);
}

std::vector<pid_t> ProcessTree::Scan() {
  const pid_t self = getpid();
  // A subreaper's descendants include every orphan of the tree, wherever it moved to: the
  // candidates are then those few rather than every process on the system.
  std::optional<std::vector<ProcessInfo>> descendants;
  if (IsChildSubreaper()) descendants = ListDescendants();
  std::vector<ProcessInfo> processes = descendants ? std::move(*descendants) : ListProcesses();

  std::set<pid_t> members;
  std::unordered_map<pid_t, std::vector<pid_t>> children;
  for (const ProcessInfo& info : processes) {
    if (info.pid == self || info.HasEnded()) continue;
    children[info.parent_pid].push_back(info.pid);
    auto known = known_.find(info.pid);
    bool member = info.pid == root_ || info.group_id == root_ ||
                  (known != known_.end() && known->second == info.start_time) ||
                  (!marker_.empty() && EnvironContains(info.pid, marker_));
    if (member) members.insert(info.pid);
  }

  // Descendants of members are members, even with a new group and a
  // cleared environment.
  std::vector<pid_t> pending(members.begin(), members.end());
  while (!pending.empty()) {
    pid_t parent = pending.back();
    pending.pop_back();
    auto it = children.find(parent);
    if (it == children.end()) continue;
    for (pid_t child : it->second) {
      if (members.insert(child).second) pending.push_back(child);
    }
  }

  std::map<pid_t, std::uint64_t> known;
  for (const ProcessInfo& info : processes) {
    if (members.count(info.pid) != 0) known[info.pid] = info.start_time;
  }
  known_ = std::move(known);
  return std::vector<pid_t>(members.begin(), members.end());
}

void ProcessTree::SignalAll(const std::vector<pid_t>& members, int signal) {
  // The group may hold members that a scan could not attribute (their
  // /proc entry unreadable), so signal it as a whole too. ESRCH and EPERM
  // are expected here and carry no information.
  kill(-root_, signal);
  for (pid_t pid : members) kill(pid, signal);
}

bool ProcessTree::Terminate() {
  std::vector<pid_t> members = Scan();
  SignalAll(members, SIGTERM);
  SignalAll(members, SIGCONT);
  return !members.empty();
}

void ProcessTree::KillAll() {
  for (int round = 0; round < kMaxKillRounds; ++round) {
    if (round > 0) std::this_thread::sleep_for(kKillRoundPause);
    std::vector<pid_t> members = Scan();
    if (members.empty()) {
      kill(-root_, SIGKILL);
      return;
    }
    // A stopped process cannot fork, so once a scan after stopping finds
    // nobody new, the list is complete.
    std::set<pid_t> stopped;
    for (int freeze = 0; freeze < kMaxFreezeRounds; ++freeze) {
      bool found_new = false;
      for (pid_t pid : members) {
        if (stopped.insert(pid).second) {
          kill(pid, SIGSTOP);
          found_new = true;
        }
      }
      if (!found_new) break;
      members = Scan();
    }
    SignalAll(std::vector<pid_t>(stopped.begin(), stopped.end()), SIGKILL);
  }
}

}  // namespace kraken::proc
