// Sends an artifact or cache file as a chunked response body, a piece at a time, so a large
// file never sits whole in the server's memory: the next piece is read only once the client
// has taken most of what was written, and the loop serves other requests in between.
//
// Runs on the server's event loop; the stream keeps what it needs alive by itself.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "artifacts/blob_store.h"
#include "http/server.h"

namespace kraken::api {

inline constexpr size_t kBlobPiece = 256 << 10;
// Written but not yet sent: above this, the stream waits for the client.
inline constexpr size_t kBlobBacklog = 4 * kBlobPiece;

// Streams blob `key` to `out` (a 404 JSON error when there is no such blob). Call from a
// StreamHandler, after setting the content type and headers.
void StreamBlob(http::Loop& loop, std::shared_ptr<artifacts::BlobStore> blobs,
                const std::string& key, std::shared_ptr<http::StreamWriter> out);
// What a browser may do with user content (artifacts, cache files, reports) served on the
// API's origin: an HTML file is shown inline but sandboxed (no script, no form, an opaque
// origin, nothing loaded from elsewhere); anything else is a download. Neither is sniffed.
inline constexpr std::string_view kUserContentPolicy =
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'";
// Sets the content type and the headers above for the file at `path` (its last segment
// names the download).
void SetUserContentHeaders(http::StreamWriter& out, const std::string& path);
// Answers a stream with the usual JSON error body and status instead.
void StreamError(const std::shared_ptr<http::StreamWriter>& out, const Error& error);

}  // namespace kraken::api
