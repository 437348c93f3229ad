#include "store/wal_checkpointer.h"

#include <spdlog/spdlog.h>

namespace kraken::store {
namespace {

int OnCommit(void* checkpointer, sqlite3*, const char*, int pages) {
  if (pages >= WalCheckpointer::kPages) static_cast<WalCheckpointer*>(checkpointer)->Request();
  return SQLITE_OK;
}

}  // namespace

std::unique_ptr<WalCheckpointer> WalCheckpointer::Start(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 5000);
  // A connection learns the database is in WAL mode when it first reads it; until then
  // its checkpoints do nothing.
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return nullptr;
  }
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(db));
}

WalCheckpointer::WalCheckpointer(sqlite3* db) : db_(db), thread_([this] { Loop(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  sqlite3_close(db_);
}

void WalCheckpointer::Attach(sqlite3* writer) { sqlite3_wal_hook(writer, OnCommit, this); }

void WalCheckpointer::Detach(sqlite3* writer) { sqlite3_wal_hook(writer, nullptr, nullptr); }

void WalCheckpointer::Request() {
  {
    std::lock_guard lock(mu_);
    requested_ = true;
  }
  cv_.notify_one();
}

int WalCheckpointer::completed() const {
  std::lock_guard lock(mu_);
  return completed_;
}

void WalCheckpointer::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    int wal_pages = 0, done_pages = 0;
    int rc =
        sqlite3_wal_checkpoint_v2(db_, "main", SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &done_pages);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      spdlog::warn("database checkpoint failed: {}", sqlite3_errmsg(db_));
    lock.lock();
    ++completed_;
  }
}

}  // namespace kraken::store
