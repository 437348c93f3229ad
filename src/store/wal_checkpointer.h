// Checkpoints a SQLite database's write-ahead log on a thread of its own.
//
// SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the
// writer's thread, and with synchronous=NORMAL it fsyncs the database: a commit now and
// then takes milliseconds longer, and every one of them is on the server's event loop. A
// WalCheckpointer takes that work off the writer: the writer's connection calls Request()
// from its WAL hook (see Attach), and a thread with its own connection runs a PASSIVE
// checkpoint, which never blocks the writer or readers.
//
// Thread-safe: Request() may be called from any thread. The destructor stops the thread.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace kraken::store {

class WalCheckpointer {
 public:
  // The WAL size, in pages, past which a checkpoint is asked for (SQLite's default).
  static constexpr int kPages = 1000;

  // Opens a second connection to `path`; nullptr if it cannot (the writer then keeps
  // SQLite's automatic checkpoint).
  static std::unique_ptr<WalCheckpointer> Start(const std::string& path);
  ~WalCheckpointer();

  // Makes `writer`'s commits request checkpoints from this checkpointer instead of running
  // them. The checkpointer must outlive the hook (Detach, or close `writer`, first).
  void Attach(sqlite3* writer);
  static void Detach(sqlite3* writer);

  void Request();
  // Checkpoints completed so far (for tests).
  int completed() const;

 private:
  explicit WalCheckpointer(sqlite3* db);
  void Loop();

  sqlite3* db_;  // used only by the thread
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;  // guarded by mu_
  bool stopping_ = false;   // guarded by mu_
  int completed_ = 0;       // guarded by mu_
  std::thread thread_;
};

}  // namespace kraken::store
