// A SQL connection behind one small interface, so the same SQL text runs on SQLite and
// PostgreSQL. Statements use `?` placeholders; the PostgreSQL backend rewrites them to
// `$1..$n`. Values are NULL, 64-bit integers, doubles or text (booleans are 0/1 integers,
// times are milliseconds since the epoch, JSON is text).
//
// A Db is one connection and is not thread-safe: the server's event loop owns it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"

namespace kraken::store {

using Value = std::variant<std::monostate, int64_t, double, std::string>;

inline Value Null() { return std::monostate{}; }

// One result row. Getters convert leniently between integer and text, since PostgreSQL
// returns every column as text.
class Row {
 public:
  explicit Row(std::vector<Value> cols) : cols_(std::move(cols)) {}
  bool IsNull(size_t i) const;
  int64_t Int(size_t i) const;
  double Real(size_t i) const;
  std::string Text(size_t i) const;
  size_t size() const { return cols_.size(); }

 private:
  std::vector<Value> cols_;
};

struct QueryResult {
  std::vector<Row> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

enum class Dialect { kSqlite, kPostgres };

class Db {
 public:
  virtual ~Db() = default;
  virtual Dialect dialect() const = 0;
  virtual Result<QueryResult> Exec(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Runs several statements with no parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;
};

// Opens "sqlite:PATH", a plain file path, or "postgresql://..." / "postgres://...".
Result<std::unique_ptr<Db>> OpenDb(const std::string& url);

// RAII transaction: rolls back unless Commit() succeeded. Nested use is not supported.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Status Commit();
  bool ok() const { return begun_; }

 private:
  Db& db_;
  bool begun_ = false;
  bool done_ = false;
};

}  // namespace kraken::store
