#include "resultdb/user_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/json_limits.h"

namespace kraken::resultdb {

Status ValidateDataChange(const DataChange& c) {
  if (c.scope != "flow" && c.scope != "branch" && c.scope != "branch-ci" &&
      c.scope != "branch-dev" && c.scope != "project")
    return Invalid("scope", "must be flow, branch, branch-ci, branch-dev or project");
  if (c.operation != "set" && c.operation != "jsonpatch")
    return Invalid("operation", "must be set or jsonpatch");
  if (c.json_pointer.empty() || c.json_pointer[0] != '/')
    return Invalid("json_pointer", "must start with /");
  if (c.operation == "jsonpatch" && !c.value.is_array())
    return Invalid("value", "a jsonpatch operation needs a JSON Patch (a list of operations)");
  if (c.operation == "jsonpatch" && c.value.size() > kMaxPatchOperations)
    return Invalid("value",
                   fmt::format("a JSON Patch may hold at most {} operations; this one has {}",
                               kMaxPatchOperations, c.value.size()));
  return {};
}

Result<Json> ReadUserData(store::Db& db, const std::string& scope, Id entity_id) {
  KR_ASSIGN(auto q, db.Exec("SELECT data FROM user_data WHERE scope = ? AND entity_id = ?",
                            {scope, entity_id}));
  if (q.rows.empty()) return Json::object();
  return ParseJson(q.rows[0].Text(0)).value_or(Json::object());
}

namespace {

// The reference tokens of a JSON pointer, first to last, unescaped.
std::vector<std::string> TokensOf(Json::json_pointer pointer) {
  std::vector<std::string> tokens;
  for (; !pointer.empty(); pointer.pop_back()) tokens.push_back(pointer.back());
  std::reverse(tokens.begin(), tokens.end());
  return tokens;
}

// A token as an array index (huge ones as SIZE_MAX); nullopt when it is not one.
std::optional<size_t> IndexOf(const std::string& token) {
  if (token.empty() || (token.size() > 1 && token[0] == '0') ||
      !std::all_of(token.begin(), token.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::nullopt;
  return token.size() > 18 ? SIZE_MAX : std::stoull(token);
}

// A set creates what its pointer names, and an array index past the end would fill the array
// with nulls up to it: an index may be at most the array's size (which appends). A null, or
// a place the set creates, becomes an empty array under an index.
Status CheckSetPointer(const Json& data, const std::string& pointer) {
  auto tokens = TokensOf(Json::json_pointer(pointer));
  if (tokens.size() > kMaxJsonDepth)
    return Invalid("json_pointer", fmt::format("has {} parts, more than the limit of {}",
                                               tokens.size(), kMaxJsonDepth));
  const Json* at = &data;  // null once the pointer leaves what exists
  for (const std::string& token : tokens) {
    auto index = IndexOf(token);
    size_t size = at && at->is_array() ? at->size() : 0;
    if (index && *index > size && (!at || at->is_null() || at->is_array()))
      return Invalid(
          "json_pointer",
          fmt::format("{}: index {} is past the end of an array of {} (at most its size, "
                      "which appends)",
                      pointer, token, size));
    if (at && at->is_array())
      at = index && *index < size ? &(*at)[*index] : nullptr;
    else
      at = at && at->is_object() && at->contains(token) ? &(*at)[token] : nullptr;
  }
  return {};
}

// What an operation of a JSON Patch may add to the document's size: its value, or for a
// copy what it copies, with the key it goes under and its punctuation.
size_t PatchGrowth(const Json& data, const Json& op) {
  if (!op.is_object()) return 0;
  std::string kind = op.value("op", "");
  size_t key = op.value("path", "").size() + 3;  // "key": and a comma, for "/key"
  if ((kind == "add" || kind == "replace") && op.contains("value"))
    return key + op["value"].dump().size();
  if (kind == "copy") return key + data.at(Json::json_pointer(op.value("from", ""))).dump().size();
  return 0;
}

// The data must stay small enough to store, list with its flows and copy: at most
// kMaxUserDataBytes as compact JSON, and kMaxJsonDepth levels.
Status CheckSize(size_t size) {
  if (size <= kMaxUserDataBytes) return {};
  return Invalid("value",
                 fmt::format("the data would be {} bytes of JSON, more than the limit of {}", size,
                             kMaxUserDataBytes));
}

Status CheckDepth(const Json& data) {
  if (JsonDepth(data) <= kMaxJsonDepth) return {};
  return Invalid("value", "the data would be " + TooDeepMessage());
}

// Applies the patch one operation at a time, so a document that doubles with every copy is
// refused before it grows past the limit: `bound` follows the document's size from above
// (a move may add a longer key; the exact size is checked once the patch is applied).
Result<Json> ApplyPatch(Json data, const Json& patch) {
  size_t bound = data.dump().size();
  for (const Json& op : patch) {
    size_t growth = PatchGrowth(data, op);
    if (bound + growth > kMaxUserDataBytes) {
      bound = data.dump().size();  // removals may have made room
      KR_TRY(CheckSize(bound + growth));
    }
    data.patch_inplace(Json::array({op}));
    bound += growth;
    KR_TRY(CheckDepth(data));
  }
  return data;
}

Result<Json> Apply(Json data, const DataChange& c) {
  try {
    if (c.operation == "jsonpatch") {
      KR_ASSIGN(data, ApplyPatch(std::move(data), c.value));
    } else if (c.json_pointer == "/") {
      data = c.value;
    } else {
      KR_TRY(CheckSetPointer(data, c.json_pointer));
      data[Json::json_pointer(c.json_pointer)] = c.value;
    }
  } catch (const std::exception& e) {
    return Invalid(c.operation == "jsonpatch" ? "value" : "json_pointer", e.what());
  }
  KR_TRY(CheckDepth(data));
  KR_TRY(CheckSize(data.dump().size()));
  return data;
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
  KR_TRY(store.db().Exec("DELETE FROM user_data WHERE scope = ? AND entity_id = ?",
                         {c.scope, entity}));
  KR_TRY(store.db().Exec("INSERT INTO user_data (scope, entity_id, data) VALUES (?,?,?)",
                         {c.scope, entity, data.dump()}));
  return data;
}

}  // namespace kraken::resultdb
