// The largest batches the server accepts from agents (docs/agent-protocol.md): a bigger
// body is refused with 413 before it is parsed, so one agent cannot make the server hold a
// huge JSON document. Agents cut their batches below these limits. Constants only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kraken {

// POST /agent/v1/jobs/{id}/results: the JSON body, and the results and issues it holds.
inline constexpr size_t kMaxResultBatchBytes = 8 << 20;
inline constexpr size_t kMaxResultBatchItems = 5000;
// One result or issue is cut to this size (its message shortened) before it is batched.
inline constexpr size_t kMaxResultItemBytes = 1 << 20;
// POST /agent/v1/jobs/{id}/logs: the JSON body.
inline constexpr size_t kMaxLogBatchBytes = 4 << 20;
// POST /agent/v1/jobs/{id}/artifacts/upload and /cache/save: the largest size a file may
// declare, by default (`kraken server --max-artifact-size`); a larger one is refused with 400.
inline constexpr int64_t kMaxArtifactBytes = int64_t{10} << 30;

// POST /agent/v1/register needs no token, and /hello comes at every start: their body is
// refused with 413 past this size, before it is parsed (room for a host_info at its limit
// written with indentation and escapes).
inline constexpr size_t kMaxRegistrationBytes = 256 << 10;
// An agent's host_info: its size as compact JSON and how deeply it nests.
inline constexpr size_t kMaxHostInfoBytes = 64 << 10;
inline constexpr size_t kMaxHostInfoDepth = 8;
// Agents registered without a token wait for an admin; past this many waiting, a further
// registration without a token is refused with 503 (the agent retries later).
inline constexpr int64_t kMaxUnauthorizedAgents = 1000;
// PUT /agent/v1/blobs/{token}: one piece of an uploaded file.
inline constexpr size_t kMaxBlobPieceBytes = 4 << 20;

}  // namespace kraken
