#include "store/migrations.h"

#include <string>

#include "core/clock.h"
#include "store/migration_list.h"

namespace kraken::store {
namespace {

std::string ForDialect(std::string sql, Dialect dialect) {
  const std::string pk =
      dialect == Dialect::kSqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY";
  for (size_t pos; (pos = sql.find("{pk}")) != std::string::npos;) sql.replace(pos, 4, pk);
  return sql;
}

}  // namespace

int LatestSchemaVersion() { return kMigrations[kMigrationCount - 1].version; }

Status Migrate(Db& db) {
  auto st = db.ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
      "applied BIGINT NOT NULL)");
  if (!st) return st;
  for (size_t i = 0; i < kMigrationCount; ++i) {
    const Migration& m = kMigrations[i];
    Transaction tx(db);
    auto have =
        db.Exec("SELECT version FROM schema_migrations WHERE version = ?", {int64_t{m.version}});
    if (!have) return tl::unexpected(have.error());
    if (!have->rows.empty()) continue;
    if (auto s = db.ExecScript(ForDialect(m.sql, db.dialect())); !s)
      return Fail(ErrorCode::kInternal, "migration " + std::to_string(m.version) + " (" + m.name +
                                            ") failed: " + s.error().message);
    auto ins = db.Exec("INSERT INTO schema_migrations (version, applied) VALUES (?, ?)",
                       {int64_t{m.version}, RealClock::Instance().Now()});
    if (!ins) return tl::unexpected(ins.error());
    if (auto c = tx.Commit(); !c) return c;
  }
  return {};
}

}  // namespace kraken::store
