// Agents, agents groups and registration tokens.
#include <map>

#include "store/store.h"

namespace kraken::store {
namespace {

constexpr const char* kAgentCols =
    "id, name, authorized, disabled, host_info, system, last_seen, lost, job_id, machine_id, "
    "created";

Agent AgentOf(const Row& r, bool with_host_info = true) {
  Agent a;
  a.id = r.Int(0);
  a.name = r.Text(1);
  a.authorized = r.Int(2) != 0;
  a.disabled = r.Int(3) != 0;
  a.host_info = with_host_info ? ParseJsonColumn(r.Text(4)) : Json();
  a.system = r.Text(5);
  a.last_seen = r.Int(6);
  a.lost = r.Int(7) != 0;
  a.job_id = OptIdOf(r, 8);
  a.machine_id = OptIdOf(r, 9);
  a.created = r.Int(10);
  return a;
}

AgentsGroup GroupOf(const Row& r) {
  AgentsGroup g;
  g.id = r.Int(0);
  g.name = r.Text(1);
  g.project_id = OptIdOf(r, 2);
  g.deployment = ParseJsonColumn(r.Text(3));
  g.created = r.Int(4);
  return g;
}

}  // namespace

Result<Agent> Store::CreateAgent(const Agent& a, const std::string& token_hash) {
  Agent out = a;
  KR_ASSIGN(out.id,
            Insert("INSERT INTO agents (name, token_hash, authorized, disabled, host_info, system, "
                   "last_seen, lost, job_id, machine_id, created) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                   {a.name, token_hash, int64_t{a.authorized}, int64_t{a.disabled},
                    a.host_info.dump(), a.system, a.last_seen, int64_t{a.lost}, OptId(a.job_id),
                    OptId(a.machine_id), a.created}));
  KR_TRY(SetAgentGroups(out.id, a.group_ids));
  return out;
}

Result<Agent> Store::GetAgent(Id id, bool with_host_info) {
  KR_ASSIGN(auto r, Q(std::string("SELECT ") + kAgentCols + " FROM agents WHERE id = ?", {id}));
  if (r.rows.empty()) return NotFound("agent " + std::to_string(id) + " not found");
  Agent a = AgentOf(r.rows[0], with_host_info);
  KR_ASSIGN(auto g,
            Q("SELECT group_id FROM agent_groups WHERE agent_id = ? ORDER BY group_id", {id}));
  for (const Row& row : g.rows) a.group_ids.push_back(row.Int(0));
  return a;
}

Result<std::optional<Agent>> Store::FindAgentByToken(const std::string& token_hash) {
  KR_ASSIGN(auto r, Q(std::string("SELECT ") + kAgentCols + " FROM agents WHERE token_hash = ?",
                      {token_hash}));
  if (r.rows.empty()) return std::optional<Agent>();
  Agent a = AgentOf(r.rows[0], false);
  KR_ASSIGN(auto g,
            Q("SELECT group_id FROM agent_groups WHERE agent_id = ? ORDER BY group_id", {a.id}));
  for (const Row& row : g.rows) a.group_ids.push_back(row.Int(0));
  return std::optional<Agent>(std::move(a));
}

Result<std::vector<Agent>> Store::ListAgents(std::optional<bool> authorized) {
  std::string sql = std::string("SELECT ") + kAgentCols + " FROM agents";
  std::vector<Value> params;
  if (authorized) {
    sql += " WHERE authorized = ?";
    params.emplace_back(int64_t{*authorized});
  }
  sql += " ORDER BY id";
  KR_ASSIGN(auto r, Q(sql, params));
  KR_ASSIGN(auto g, Q("SELECT agent_id, group_id FROM agent_groups ORDER BY group_id"));
  std::map<Id, std::vector<Id>> groups;
  for (const Row& row : g.rows) groups[row.Int(0)].push_back(row.Int(1));
  std::vector<Agent> out;
  for (const Row& row : r.rows) {
    Agent a = AgentOf(row);
    a.group_ids = groups[a.id];
    out.push_back(std::move(a));
  }
  return out;
}

Status Store::SaveAgent(const Agent& a) {
  KR_TRY(
      Q("UPDATE agents SET name = ?, authorized = ?, disabled = ?, "
        "host_info = COALESCE(?, host_info), system = ?, last_seen = ?, lost = ?, job_id = ?, "
        "machine_id = ? WHERE id = ?",
        {a.name, int64_t{a.authorized}, int64_t{a.disabled},
         a.host_info.is_null() ? Null() : Value(a.host_info.dump()), a.system, a.last_seen,
         int64_t{a.lost}, OptId(a.job_id), OptId(a.machine_id), a.id}));
  return {};
}

Result<bool> Store::TouchAgent(Id id, Millis now) {
  KR_ASSIGN(auto lost, Q("UPDATE agents SET lost = 0 WHERE id = ? AND lost = 1", {id}));
  KR_TRY(Q("UPDATE agents SET last_seen = ? WHERE id = ?", {now, id}));
  return lost.affected > 0;
}

Status Store::DeleteAgent(Id id) {
  KR_ASSIGN(auto r, Q("DELETE FROM agents WHERE id = ?", {id}));
  if (r.affected == 0) return NotFound("agent " + std::to_string(id) + " not found");
  return {};
}

Status Store::SetAgentGroups(Id agent_id, const std::vector<Id>& group_ids) {
  KR_TRY(Q("DELETE FROM agent_groups WHERE agent_id = ?", {agent_id}));
  for (Id g : group_ids)
    KR_TRY(Q("INSERT INTO agent_groups (agent_id, group_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
             {agent_id, g}));
  return {};
}

Result<AgentsGroup> Store::CreateGroup(const AgentsGroup& g) {
  AgentsGroup out = g;
  KR_ASSIGN(out.id, Insert("INSERT INTO agents_groups (name, project_id, deployment, created) "
                           "VALUES (?, ?, ?, ?) RETURNING id",
                           {g.name, OptId(g.project_id), g.deployment.dump(), g.created}));
  return out;
}

Result<AgentsGroup> Store::GetGroup(Id id) {
  KR_ASSIGN(auto r, Q("SELECT id, name, project_id, deployment, created FROM agents_groups "
                      "WHERE id = ?",
                      {id}));
  if (r.rows.empty()) return NotFound("agents group " + std::to_string(id) + " not found");
  return GroupOf(r.rows[0]);
}

Result<std::optional<AgentsGroup>> Store::FindGroup(const std::string& name) {
  KR_ASSIGN(auto r, Q("SELECT id, name, project_id, deployment, created FROM agents_groups "
                      "WHERE name = ?",
                      {name}));
  if (r.rows.empty()) return std::optional<AgentsGroup>();
  return std::optional<AgentsGroup>(GroupOf(r.rows[0]));
}

Result<std::vector<AgentsGroup>> Store::ListGroups() {
  KR_ASSIGN(auto r, Q("SELECT id, name, project_id, deployment, created FROM agents_groups "
                      "ORDER BY id"));
  std::vector<AgentsGroup> out;
  for (const Row& row : r.rows) out.push_back(GroupOf(row));
  return out;
}

Status Store::SaveGroup(const AgentsGroup& g) {
  KR_TRY(Q("UPDATE agents_groups SET name = ?, project_id = ?, deployment = ? WHERE id = ?",
           {g.name, OptId(g.project_id), g.deployment.dump(), g.id}));
  return {};
}

Status Store::DeleteGroup(Id id) {
  KR_ASSIGN(auto r, Q("DELETE FROM agents_groups WHERE id = ?", {id}));
  if (r.affected == 0) return NotFound("agents group " + std::to_string(id) + " not found");
  return {};
}

Result<Id> Store::CreateRegistrationToken(const std::string& token_hash, std::optional<Id> group_id,
                                          std::optional<Id> machine_id, Millis expires,
                                          Millis now) {
  return Insert(
      "INSERT INTO registration_tokens (token_hash, group_id, machine_id, expires, "
      "created) VALUES (?, ?, ?, ?, ?) RETURNING id",
      {token_hash, OptId(group_id), OptId(machine_id), expires, now});
}

Result<RegistrationToken> Store::ConsumeRegistrationToken(const std::string& token_hash,
                                                          Millis now) {
  // One statement marks it used, so two agents racing with one token cannot both win.
  KR_ASSIGN(auto r,
            Q("UPDATE registration_tokens SET used = 1 WHERE token_hash = ? AND used = 0 "
              "AND (expires = 0 OR expires > ?) RETURNING id, group_id, machine_id, expires",
              {token_hash, now}));
  if (r.rows.empty())
    return Fail(ErrorCode::kUnauthorized, "registration token is unknown, used or expired");
  const Row& row = r.rows[0];
  return RegistrationToken{row.Int(0), OptIdOf(row, 1), OptIdOf(row, 2), row.Int(3), true};
}

}  // namespace kraken::store
