// PostgreSQL backend of Db over libpq: `?` placeholders become `$n`, and results come back
// as text (Row converts). One connection; not thread-safe.
//
// A broken connection (the server restarted, a network cut) is re-opened by the next
// statement that starts outside a transaction, typically the next transaction's BEGIN; a
// transaction that was under way when the connection broke fails (its statements, then
// its COMMIT), and is rolled back by PostgreSQL.
#pragma once

#include <libpq-fe.h>

#include <string>

#include "store/db.h"

namespace kraken::store {

class PgDb : public Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const std::string& url);
  ~PgDb() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  Result<QueryResult> Exec(std::string_view sql, const std::vector<Value>& params) override;
  Status ExecScript(std::string_view sql) override;

  // Rewrites `?` placeholders (outside quoted strings) as `$1..$n`.
  static std::string NumberPlaceholders(std::string_view sql);

 private:
  explicit PgDb(PGconn* conn) : conn_(conn) {}
  // Re-opens a broken connection when no transaction is open on it.
  Status Reconnect();
  // Runs one statement on the connection as it is.
  Result<QueryResult> Run(std::string_view sql, const std::vector<Value>& params);
  PGconn* conn_;
  bool in_transaction_ = false;
};

}  // namespace kraken::store
