// ProcessTree finds and kills every process started on behalf of one
// spawned process: its "tree".
//
// A process belongs to the tree when any of these holds:
//  1. it is in the root's process group (the root leads a group of its own);
//  2. it carries the tree's marker entry in its environment (every spawned
//     process gets a unique KRAKEN_PROCESS_TREE=... entry, inherited by its
//     descendants, the way Jenkins marks build processes);
//  3. its parent belongs to the tree;
//  4. it was found by an earlier scan and is still the same process.
// (1) and (3) alone miss a process that calls setsid() and is then orphaned
// by a double fork: it has a new group and init (or a subreaper) as parent.
// (2) catches it. (3) catches a descendant that clears its environment and
// leaves the group, as long as its parent is alive, and (4) keeps it once
// the parent is gone if a scan saw it before; so the tree is scanned before
// anything is killed. Only a process that clears its environment, leaves
// the group and is orphaned before any scan escapes; confining that needs
// cgroups.
//
// A scan reads every process on the system, or, in a child subreaper (the agent), only
// the subreaper's descendants: every orphan of the tree is re-parented there, so that
// is where all of it lives, at a fraction of the cost.
//
// Pids are signalled right after a scan; a pid recycled in between would
// need the kernel to wrap around pid_max in that window.
//
// Thread-safety: not thread-safe; one thread uses a ProcessTree.
#ifndef KRAKEN_PROC_PROCESS_TREE_H_
#define KRAKEN_PROC_PROCESS_TREE_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kraken::proc {

class ProcessTree {
 public:
  // `root` is the pid of the spawned process and the id of its group;
  // `marker` the "NAME=value" environment entry given to it, or empty if
  // it has none.
  ProcessTree(pid_t root, std::string marker);

  // Returns a fresh, unique marker entry for a new tree.
  static std::string NewMarker();

  const std::string& marker() const { return marker_; }

  // Pids of the tree's processes that are still running (not zombies).
  std::vector<pid_t> Scan();

  // Sends SIGTERM (and SIGCONT, so stopped processes see it) to the group
  // and every member. Returns whether there was any member to signal.
  bool Terminate();

  // SIGKILLs every member. Members are stopped first until a scan finds no
  // new one, so no member can fork a process we have not seen; repeats
  // until a scan finds nothing.
  void KillAll();

 private:
  void SignalAll(const std::vector<pid_t>& members, int signal);

  pid_t root_;
  std::string marker_;
  std::map<pid_t, std::uint64_t> known_;  // Members seen: pid -> start time.
};

}  // namespace kraken::proc

#endif  // KRAKEN_PROC_PROCESS_TREE_H_
