#include "resultdb/user_data.h"

namespace kraken::resultdb {

Status ValidateDataChange(const DataChange& c) {
  if (c.scope != "flow" && c.scope != "branch" && c.scope != "branch-ci" && c.scope != "branch-dev" &&
      c.scope != "project")
    return Invalid("scope", "must be flow, branch, branch-ci, branch-dev or project");
  if (c.operation != "set" && c.operation != "jsonpatch")
    return Invalid("operation", "must be set or jsonpatch");
  if (c.json_pointer.empty() || c.json_pointer[0] != '/')
    return Invalid("json_pointer", "must start with /");
  if (c.operation == "jsonpatch" && !c.value.is_array())
    return Invalid("value", "a jsonpatch operation needs a JSON Patch (a list of operations)");
  return {};
}

Result<Json> ReadUserData(store::Db& db, const std::string& scope, Id entity_id) {
  KR_ASSIGN(auto q, db.Exec("SELECT data FROM user_data WHERE scope = ? AND entity_id = ?", {scope, entity_id}));
  if (q.rows.empty()) return Json::object();
  Json j = Json::parse(q.rows[0].Text(0), nullptr, false);
  return j.is_discarded() ? Json::object() : j;
}

namespace {

Result<Json> Apply(Json data, const DataChange& c) {
  try {
    if (c.operation == "jsonpatch") return data.patch(c.value);
    if (c.json_pointer == "/") return c.value;
    data[Json::json_pointer(c.json_pointer)] = c.value;
    return data;
  } catch (const std::exception& e) {
    return Invalid(c.operation == "jsonpatch" ? "value" : "json_pointer", e.what());
  }
}

}  // namespace

Result<Json> ApplyDataChange(store::Store& store, const Flow& flow, const DataChange& c) {
  KR_TRY(ValidateDataChange(c));
  if (c.scope == "flow") {
    KR_ASSIGN(auto f, store.GetFlow(flow.id));
    KR_ASSIGN(f.data, Apply(f.data, c));
    KR_TRY(store.SaveFlow(f));
    return f.data;
  }
  Id entity = flow.branch_id;
  if (c.scope == "project") {
    KR_ASSIGN(auto b, store.GetBranch(flow.branch_id));
    entity = b.project_id;
  }
  KR_ASSIGN(Json data, ReadUserData(store.db(), c.scope, entity));
  KR_ASSIGN(data, Apply(data, c));
  KR_TRY(store.db().Exec("DELETE FROM user_data WHERE scope = ? AND entity_id = ?", {c.scope, entity}));
  KR_TRY(store.db().Exec("INSERT INTO user_data (scope, entity_id, data) VALUES (?,?,?)",
                         {c.scope, entity, data.dump()}));
  return data;
}

}  // namespace kraken::resultdb
