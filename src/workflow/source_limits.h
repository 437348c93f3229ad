// Bounds on a stage's code and what it expands to, so that saving or checking a stage cannot
// stall the server or exhaust its memory. Constants only.
#pragma once

#include <cstddef>

namespace kraken::workflow {

// The largest stage code (of any format) evaluated; a `schema` dict counts as the JSON text
// it is stored as.
inline constexpr size_t kMaxStageCodeBytes = 1 << 20;
// What a YAML stage may expand to, aliases expanded: how many nodes, and how many bytes of
// keys and scalars. A stage dict of any format nests at most kMaxJsonDepth levels.
inline constexpr size_t kMaxYamlNodes = 100'000;
inline constexpr size_t kMaxYamlScalarBytes = 4 << 20;

}  // namespace kraken::workflow
