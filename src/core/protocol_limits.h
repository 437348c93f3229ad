// The largest batches the server accepts from agents (docs/agent-protocol.md): a bigger
// body is refused with 413 before it is parsed, so one agent cannot make the server hold a
// huge JSON document. Agents cut their batches below these limits. Constants only.
#pragma once

#include <cstddef>

namespace kraken {

// POST /agent/v1/jobs/{id}/results: the JSON body, and the results and issues it holds.
inline constexpr size_t kMaxResultBatchBytes = 8 << 20;
inline constexpr size_t kMaxResultBatchItems = 5000;
// One result or issue is cut to this size (its message shortened) before it is batched.
inline constexpr size_t kMaxResultItemBytes = 1 << 20;
// POST /agent/v1/jobs/{id}/logs: the JSON body.
inline constexpr size_t kMaxLogBatchBytes = 4 << 20;
// PUT /agent/v1/blobs/{token}: one piece of an uploaded file.
inline constexpr size_t kMaxBlobPieceBytes = 4 << 20;

}  // namespace kraken
