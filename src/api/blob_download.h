// Sends an artifact or cache file as a chunked response body, a piece at a time, so a large
// file never sits whole in the server's memory: the next piece is read only once the client
// has taken most of what was written, and the loop serves other requests in between.
//
// Runs on the server's event loop; the stream keeps what it needs alive by itself.
#pragma once

#include <memory>
#include <string>

#include "artifacts/blob_store.h"
#include "http/server.h"

namespace kraken::api {

inline constexpr size_t kBlobPiece = 256 << 10;
// Written but not yet sent: above this, the stream waits for the client.
inline constexpr size_t kBlobBacklog = 4 * kBlobPiece;

// Streams blob `key` to `out` (a 404 JSON error when there is no such blob). Call from a
// StreamHandler, after setting the content type and headers.
void StreamBlob(http::Loop& loop, std::shared_ptr<artifacts::BlobStore> blobs, const std::string& key,
                std::shared_ptr<http::StreamWriter> out);
// Answers a stream with the usual JSON error body and status instead.
void StreamError(const std::shared_ptr<http::StreamWriter>& out, const Error& error);

}  // namespace kraken::api
