// SQLite backend of Db: a file in WAL mode, statements cached by SQL text.
#pragma once

#include <sqlite3.h>

#include <string>
#include <unordered_map>

#include "store/db.h"
#include "store/wal_checkpointer.h"

namespace kraken::store {

class SqliteDb : public Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const std::string& path);
  ~SqliteDb() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  Result<QueryResult> Exec(std::string_view sql, const std::vector<Value>& params) override;
  Status ExecScript(std::string_view sql) override;
  // The background checkpointer, if this database has one (a file that another
  // connection could open).
  const WalCheckpointer* checkpointer() const { return checkpointer_.get(); }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  Result<sqlite3_stmt*> Prepare(std::string_view sql);

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
};

}  // namespace kraken::store
