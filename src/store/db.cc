#include "store/db.h"

#include <cstdlib>

#include "store/pg_db.h"
#include "store/sqlite_db.h"

namespace kraken::store {

bool Row::IsNull(size_t i) const { return std::holds_alternative<std::monostate>(cols_.at(i)); }

int64_t Row::Int(size_t i) const {
  const Value& v = cols_.at(i);
  if (auto p = std::get_if<int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::strtoll(p->c_str(), nullptr, 10);
  return 0;
}

double Row::Real(size_t i) const {
  const Value& v = cols_.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::strtod(p->c_str(), nullptr);
  return 0;
}

std::string Row::Text(size_t i) const {
  const Value& v = cols_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return std::to_string(*p);
  return {};
}

Result<std::unique_ptr<Db>> OpenDb(const std::string& url) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return PgDb::Open(url);
  std::string path = url.starts_with("sqlite:") ? url.substr(7) : url;
  return SqliteDb::Open(path);
}

Transaction::Transaction(Db& db) : db_(db) {
  begun_ = db_.Exec(db_.dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN").has_value();
}

Transaction::~Transaction() {
  if (begun_ && !done_) (void)db_.Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (!begun_) return Fail(ErrorCode::kInternal, "transaction did not begin");
  auto r = db_.Exec("COMMIT");
  if (!r) return tl::unexpected(r.error());
  done_ = true;
  return {};
}

}  // namespace kraken::store
