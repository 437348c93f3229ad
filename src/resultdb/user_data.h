// User data that steps store with the `data` tool and stage schemas read back: a flow's
// (Flow.data in the flows table), a branch's (all flows, CI flows only, DEV flows only) and
// a project's (rows of user_data keyed by scope and entity id). Not thread-safe.
#pragma once

#include <string>

#include "core/entities.h"
#include "store/store.h"

namespace kraken::resultdb {

// Bounds on one scope's data: its size as compact JSON (it is listed with its flows and
// read whole by every change) and the operations of one JSON Patch. It nests at most
// kMaxJsonDepth levels (core/json_limits.h). A change past them is refused.
inline constexpr size_t kMaxUserDataBytes = 256 << 10;
inline constexpr size_t kMaxPatchOperations = 100;

struct DataChange {
  std::string scope = "flow";     // flow, branch, branch-ci, branch-dev, project
  std::string operation = "set";  // set: value at json_pointer; jsonpatch: value is a patch
  std::string json_pointer = "/";
  Json value;
};

// Checks scope, operation and pointer; the Error names the field.
Status ValidateDataChange(const DataChange& change);

// Applies the change for a job of `flow`; returns the scope's data afterwards. Run inside a
// transaction.
Result<Json> ApplyDataChange(store::Store& store, const Flow& flow, const DataChange& change);

// A scope's data ({} when none): scope "branch", "branch-ci", "branch-dev" with a branch id,
// or "project" with a project id.
Result<Json> ReadUserData(store::Db& db, const std::string& scope, Id entity_id);

}  // namespace kraken::resultdb
