#include "store/sqlite_db.h"

#include <fmt/format.h>

namespace kraken::store {

Result<std::unique_ptr<Db>> SqliteDb::Open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Fail(ErrorCode::kUnavailable, fmt::format("cannot open database {}: {}", path, msg));
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<Db> out(new SqliteDb(db));
  // WAL keeps readers off the writer's path; NORMAL sync is durable across process crashes
  // (only an OS crash can lose the last transactions), which is what a CI server needs.
  auto st = out->ExecScript(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  if (!st) return tl::unexpected(st.error());
  // Checkpoints leave the writer's thread (see wal_checkpointer.h); an in-memory or
  // temporary database has no file for a second connection.
  if (!path.empty() && path != ":memory:" && !path.starts_with("file::memory:")) {
    auto* self = static_cast<SqliteDb*>(out.get());
    self->checkpointer_ = WalCheckpointer::Start(path);
    if (self->checkpointer_) self->checkpointer_->Attach(db);
  }
  return out;
}

SqliteDb::~SqliteDb() {
  if (checkpointer_) {
    WalCheckpointer::Detach(db_);
    checkpointer_.reset();
  }
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Result<sqlite3_stmt*> SqliteDb::Prepare(std::string_view sql) {
  std::string key(sql);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, key.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
    return Fail(ErrorCode::kInternal,
                fmt::format("sql error: {} in: {}", sqlite3_errmsg(db_), key));
  cache_.emplace(std::move(key), stmt);
  return stmt;
}

Result<QueryResult> SqliteDb::Exec(std::string_view sql, const std::vector<Value>& params) {
  auto prepared = Prepare(sql);
  if (!prepared) return tl::unexpected(prepared.error());
  sqlite3_stmt* stmt = *prepared;
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  for (size_t i = 0; i < params.size(); ++i) {
    int idx = static_cast<int>(i + 1);
    const Value& v = params[i];
    if (auto p = std::get_if<int64_t>(&v))
      sqlite3_bind_int64(stmt, idx, *p);
    else if (auto p = std::get_if<double>(&v))
      sqlite3_bind_double(stmt, idx, *p);
    else if (auto p = std::get_if<std::string>(&v))
      sqlite3_bind_text(stmt, idx, p->data(), static_cast<int>(p->size()), SQLITE_TRANSIENT);
    else
      sqlite3_bind_null(stmt, idx);
  }
  QueryResult result;
  int cols = sqlite3_column_count(stmt);
  while (true) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      std::string msg = sqlite3_errmsg(db_);
      sqlite3_reset(stmt);
      ErrorCode code = (rc == SQLITE_CONSTRAINT) ? ErrorCode::kConflict : ErrorCode::kInternal;
      return Fail(code, fmt::format("sql error: {}", msg));
    }
    std::vector<Value> row;
    row.reserve(cols);
    for (int c = 0; c < cols; ++c) {
      switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_INTEGER:
          row.emplace_back(int64_t{sqlite3_column_int64(stmt, c)});
          break;
        case SQLITE_FLOAT:
          row.emplace_back(sqlite3_column_double(stmt, c));
          break;
        case SQLITE_NULL:
          row.emplace_back(std::monostate{});
          break;
        default: {
          auto text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.emplace_back(std::string(text, sqlite3_column_bytes(stmt, c)));
        }
      }
    }
    result.rows.emplace_back(std::move(row));
  }
  result.affected = sqlite3_changes64(db_);
  sqlite3_reset(stmt);
  return result;
}

Status SqliteDb::ExecScript(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return Fail(ErrorCode::kInternal, "sql error: " + msg);
  }
  return {};
}

}  // namespace kraken::store
