// Bounds on JSON that comes from outside the process: request bodies, agents, the database.
// nlohmann-json copies, compares and serialises values recursively, so one document nested
// thousands of levels deep would overflow the stack; every such document is parsed through
// ParseJson, which refuses it before building it, and values put together from several
// documents are checked with JsonDepth. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/error.h"
#include "core/json.h"

namespace kraken {

// How deeply a document may nest objects and arrays ({} is 1, {"a": []} is 2).
inline constexpr size_t kMaxJsonDepth = 64;

// The byte offset of the bracket that opens level `max_depth` + 1, if the text nests that
// deep. Reads strings as JSON does; linear, without recursion.
std::optional<size_t> FindTooDeep(std::string_view text, size_t max_depth = kMaxJsonDepth);

// Parses `text`, refusing a document nested deeper than `max_depth`. The error (kInvalid)
// completes "the ... is": "not valid JSON: ..." or "nested deeper than 64 levels, the limit".
Result<Json> ParseJson(std::string_view text, size_t max_depth = kMaxJsonDepth);

// How deeply `value` nests (a scalar is 0); iterative, so safe on any value.
size_t JsonDepth(const Json& value);

// The message of a document nested past `max_depth`: "nested deeper than N levels, the limit".
std::string TooDeepMessage(size_t max_depth = kMaxJsonDepth);

}  // namespace kraken
