#include "autoscale/machine_store.h"

#include "core/json_limits.h"

namespace kraken::autoscale {

using store::Row;
using store::Value;

namespace {

constexpr const char* kCols =
    "id, group_id, system, state, driver_id, method, deployment_hash, agent_id, job_count, "
    "token_hash, last_error, boot_deadline, idle_since, queued_at, transitions, created, updated";

Machine MachineOf(const Row& r) {
  Machine m;
  m.id = r.Int(0);
  m.group_id = r.Int(1);
  m.system = r.Text(2);
  m.state = ParseMachineState(r.Text(3)).value_or(MachineState::kFailed);
  m.driver_id = r.Text(4);
  m.method = r.Text(5);
  m.deployment_hash = r.Text(6);
  if (!r.IsNull(7)) m.agent_id = r.Int(7);
  m.job_count = r.Int(8);
  m.token_hash = r.Text(9);
  m.last_error = r.Text(10);
  m.boot_deadline = r.Int(11);
  m.idle_since = r.Int(12);
  m.queued_at = r.Int(13);
  m.transitions = ParseJson(r.Text(14)).value_or(Json());
  if (!m.transitions.is_array()) m.transitions = Json::array();
  m.created = r.Int(15);
  m.updated = r.Int(16);
  return m;
}

Value OptId(const std::optional<Id>& id) { return id ? Value(*id) : store::Null(); }

}  // namespace

Result<Machine> MachineStore::Create(Machine m) {
  KR_ASSIGN(
      auto r,
      db_.Exec(
          "INSERT INTO machines (group_id, system, state, driver_id, method, deployment_hash, "
          "agent_id, job_count, token_hash, last_error, boot_deadline, idle_since, queued_at, "
          "transitions, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "RETURNING id",
          {m.group_id, m.system, std::string(Name(m.state)), m.driver_id, m.method,
           m.deployment_hash, OptId(m.agent_id), m.job_count, m.token_hash, m.last_error,
           m.boot_deadline, m.idle_since, m.queued_at, m.transitions.dump(), m.created,
           m.updated}));
  if (r.rows.empty()) return Fail(ErrorCode::kInternal, "insert returned no id");
  m.id = r.rows[0].Int(0);
  if (on_change_) on_change_(m);
  return m;
}

Status MachineStore::Save(const Machine& m) {
  KR_TRY(
      db_.Exec("UPDATE machines SET system = ?, state = ?, driver_id = ?, method = ?, "
               "deployment_hash = ?, agent_id = ?, job_count = ?, token_hash = ?, last_error = ?, "
               "boot_deadline = ?, idle_since = ?, queued_at = ?, transitions = ?, updated = ? "
               "WHERE id = ?",
               {m.system, std::string(Name(m.state)), m.driver_id, m.method, m.deployment_hash,
                OptId(m.agent_id), m.job_count, m.token_hash, m.last_error, m.boot_deadline,
                m.idle_since, m.queued_at, m.transitions.dump(), m.updated, m.id}));
  if (on_change_) on_change_(m);
  return {};
}

Result<Machine> MachineStore::Get(Id id) {
  KR_ASSIGN(auto r, db_.Exec(std::string("SELECT ") + kCols + " FROM machines WHERE id = ?", {id}));
  if (r.rows.empty()) return NotFound("machine " + std::to_string(id) + " not found");
  return MachineOf(r.rows[0]);
}

Result<std::vector<Machine>> MachineStore::List(Id group_id, bool all, int64_t limit) {
  std::string sql = std::string("SELECT ") + kCols + " FROM machines WHERE 1 = 1";
  std::vector<Value> params;
  if (group_id) {
    sql += " AND group_id = ?";
    params.emplace_back(group_id);
  }
  if (!all) sql += " AND state NOT IN ('gone', 'failed')";
  sql += all ? " ORDER BY id DESC LIMIT ?" : " ORDER BY id LIMIT ?";
  params.emplace_back(limit);
  KR_ASSIGN(auto r, db_.Exec(sql, params));
  std::vector<Machine> out;
  for (const Row& row : r.rows) out.push_back(MachineOf(row));
  return out;
}

Result<int64_t> MachineStore::CountAgentJobs(Id agent_id) {
  KR_ASSIGN(auto r, db_.Exec("SELECT COUNT(*) FROM jobs WHERE agent_id = ?", {agent_id}));
  return r.rows.empty() ? 0 : r.rows[0].Int(0);
}

}  // namespace kraken::autoscale
