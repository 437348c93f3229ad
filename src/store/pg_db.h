// PostgreSQL backend of Db over libpq: `?` placeholders become `$n`, and results come back
// as text (Row converts). One connection; not thread-safe.
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
  PGconn* conn_;
};

}  // namespace kraken::store
