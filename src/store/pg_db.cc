#include "store/pg_db.h"

#include <fmt/format.h>

#include <cstdlib>

namespace kraken::store {

Result<std::unique_ptr<Db>> PgDb::Open(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    return Fail(ErrorCode::kUnavailable, "cannot connect to PostgreSQL: " + msg);
  }
  std::unique_ptr<Db> db(new PgDb(conn));
  auto st = db->ExecScript("SET client_min_messages TO WARNING");
  if (!st) return tl::unexpected(st.error());
  return db;
}

PgDb::~PgDb() { PQfinish(conn_); }

std::string PgDb::NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

Status PgDb::Reconnect() {
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK)
    return Fail(
        ErrorCode::kUnavailable,
        std::string("PostgreSQL connection lost, reconnecting failed: ") + PQerrorMessage(conn_));
  PGresult* res = PQexec(conn_, "SET client_min_messages TO WARNING");
  PQclear(res);
  return {};
}

Result<QueryResult> PgDb::Exec(std::string_view sql, const std::vector<Value>& params) {
  const bool begin = sql.starts_with("BEGIN");
  const bool end = sql.starts_with("COMMIT") || sql.starts_with("ROLLBACK");
  // A statement outside a transaction may run on a new connection; one inside must not (the
  // transaction died with the old one).
  if (!in_transaction_ && PQstatus(conn_) != CONNECTION_OK) KR_TRY(Reconnect());
  auto r = Run(sql, params);
  // A BEGIN that found the connection broken (the server went away since the last
  // statement: libpq learns it only now) runs again on a new one.
  if (!r && begin && PQstatus(conn_) != CONNECTION_OK) {
    KR_TRY(Reconnect());
    r = Run(sql, params);
  }
  if (begin && r) in_transaction_ = true;
  if (end) in_transaction_ = false;
  return r;
}

Result<QueryResult> PgDb::Run(std::string_view sql, const std::vector<Value>& params) {
  std::string text = NumberPlaceholders(sql);
  std::vector<std::string> storage(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (size_t i = 0; i < params.size(); ++i) {
    const Value& v = params[i];
    if (auto p = std::get_if<int64_t>(&v))
      storage[i] = std::to_string(*p);
    else if (auto p = std::get_if<double>(&v))
      storage[i] = fmt::format("{}", *p);
    else if (auto p = std::get_if<std::string>(&v))
      storage[i] = *p;
    else
      continue;
    values[i] = storage[i].c_str();
  }
  PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    std::string msg = PQresultErrorMessage(res);
    PQclear(res);
    // Class 23 is integrity constraint violation (unique, foreign key).
    ErrorCode code = (state && std::string_view(state).starts_with("23")) ? ErrorCode::kConflict
                                                                          : ErrorCode::kInternal;
    if (PQstatus(conn_) != CONNECTION_OK) code = ErrorCode::kUnavailable;
    return Fail(code, "sql error: " + msg);
  }
  QueryResult result;
  int rows = PQntuples(res), cols = PQnfields(res);
  result.rows.reserve(rows);
  for (int r = 0; r < rows; ++r) {
    std::vector<Value> row;
    row.reserve(cols);
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(res, r, c))
        row.emplace_back(std::monostate{});
      else
        row.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
    }
    result.rows.emplace_back(std::move(row));
  }
  const char* affected = PQcmdTuples(res);
  result.affected = (affected && *affected) ? std::strtoll(affected, nullptr, 10) : 0;
  PQclear(res);
  return result;
}

Status PgDb::ExecScript(std::string_view sql) {
  if (!in_transaction_ && PQstatus(conn_) != CONNECTION_OK) KR_TRY(Reconnect());
  std::string text(sql);
  PGresult* res = PQexec(conn_, text.c_str());
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::string msg = PQresultErrorMessage(res);
    PQclear(res);
    return Fail(ErrorCode::kInternal, "sql error: " + msg);
  }
  PQclear(res);
  return {};
}

}  // namespace kraken::store
