#include "planner/trigger_store.h"

#include "core/json_limits.h"

namespace kraken::planner {
namespace {

constexpr const char* kCols =
    "SELECT id, stage_id, kind, spec, next_fire, pending, last_fire, state, created "
    "FROM planner_triggers ";

TriggerRow RowOf(const store::Row& r) {
  TriggerRow t;
  t.id = r.Int(0);
  t.stage_id = r.Int(1);
  t.kind = r.Text(2);
  t.spec = r.Text(3);
  t.next_fire = r.Int(4);
  t.pending = r.Int(5);
  t.last_fire = r.Int(6);
  t.state = ParseJson(r.Text(7)).value_or(Json::object());
  t.created = r.Int(8);
  return t;
}

}  // namespace

Result<std::vector<TriggerRow>> TriggerStore::List(std::optional<Id> stage_id) {
  auto r = stage_id ? db_.Exec(std::string(kCols) + "WHERE stage_id = ? ORDER BY id", {*stage_id})
                    : db_.Exec(std::string(kCols) + "ORDER BY id");
  if (!r) return tl::unexpected(r.error());
  std::vector<TriggerRow> out;
  for (const auto& row : r->rows) out.push_back(RowOf(row));
  return out;
}

Result<TriggerRow> TriggerStore::Insert(const TriggerRow& row) {
  KR_TRY(
      db_.Exec("INSERT INTO planner_triggers (stage_id, kind, spec, next_fire, pending, "
               "last_fire, state, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               {row.stage_id, row.kind, row.spec, row.next_fire, row.pending, row.last_fire,
                row.state.dump(), row.created}));
  KR_ASSIGN(auto r, db_.Exec(std::string(kCols) + "WHERE stage_id = ? AND kind = ? AND spec = ?",
                             {row.stage_id, row.kind, row.spec}));
  if (r.rows.empty()) return Fail(ErrorCode::kInternal, "planner trigger not stored");
  return RowOf(r.rows[0]);
}

Status TriggerStore::Save(const TriggerRow& row) {
  KR_TRY(
      db_.Exec("UPDATE planner_triggers SET next_fire = ?, pending = ?, last_fire = ?, "
               "state = ? WHERE id = ?",
               {row.next_fire, row.pending, row.last_fire, row.state.dump(), row.id}));
  return {};
}

Status TriggerStore::Delete(Id id) {
  KR_TRY(db_.Exec("DELETE FROM planner_triggers WHERE id = ?", {id}));
  return {};
}

}  // namespace kraken::planner
