#include "store/store.h"

#include "core/json_limits.h"
#include "store/migrations.h"

namespace kraken::store {

Json ParseJsonColumn(const std::string& text) { return ParseJson(text).value_or(Json::object()); }

Value OptId(const std::optional<Id>& id) { return id ? Value(*id) : Null(); }

std::optional<Id> OptIdOf(const Row& row, size_t i) {
  if (row.IsNull(i)) return std::nullopt;
  return row.Int(i);
}

Result<std::unique_ptr<Store>> Store::Open(std::unique_ptr<Db> db) {
  KR_TRY(Migrate(*db));
  return std::unique_ptr<Store>(new Store(std::move(db)));
}

Result<Id> Store::Insert(std::string_view sql, const std::vector<Value>& params) {
  KR_ASSIGN(auto r, Q(sql, params));
  if (r.rows.empty()) return Fail(ErrorCode::kInternal, "insert returned no id");
  return r.rows[0].Int(0);
}

Result<std::optional<std::string>> Store::GetSetting(const std::string& name) {
  KR_ASSIGN(auto r, Q("SELECT value FROM settings WHERE name = ?", {name}));
  if (r.rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(r.rows[0].Text(0));
}

Status Store::SetSetting(const std::string& name, const std::string& value) {
  KR_TRY(
      Q("INSERT INTO settings (name, value) VALUES (?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        {name, value}));
  return {};
}

}  // namespace kraken::store
