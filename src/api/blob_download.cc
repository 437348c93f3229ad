#include "api/blob_download.h"

#include <spdlog/spdlog.h>

#include "api/json_io.h"

namespace kraken::api {
namespace {

struct BlobStream : std::enable_shared_from_this<BlobStream> {
  http::Loop& loop;
  std::shared_ptr<artifacts::BlobStore> blobs;
  std::string key;
  uint64_t size = 0, offset = 0;
  std::shared_ptr<http::StreamWriter> out;
  std::unique_ptr<http::Loop::Timer> wait;

  BlobStream(http::Loop& l, std::shared_ptr<artifacts::BlobStore> b, std::string k, uint64_t s,
             std::shared_ptr<http::StreamWriter> o)
      : loop(l), blobs(std::move(b)), key(std::move(k)), size(s), out(std::move(o)) {}

  // Writes pieces while the client keeps up, then comes back on the loop.
  void Next() {
    while (offset < size) {
      if (!out->open()) return;  // the client went away
      if (out->queued_bytes() >= kBlobBacklog) {
        auto self = shared_from_this();
        wait = loop.After(std::chrono::milliseconds(2), [self] { self->Next(); });
        return;
      }
      auto piece = blobs->ReadAt(key, offset, kBlobPiece);
      if (!piece || piece->empty()) {
        // The headers are gone: ending the body early is the only way left to say so.
        spdlog::warn("blob {}: read failed at byte {} of {}", key, offset, size);
        out->Close();
        return;
      }
      offset += piece->size();
      if (!out->Write(std::move(*piece))) return;
    }
    out->Close();
  }
};

}  // namespace

void StreamError(const std::shared_ptr<http::StreamWriter>& out, const Error& error) {
  http::Response r = ErrorResponse(error);
  out->SetStatus(r.status);
  out->SetContentType(r.content_type);
  out->Write(std::move(r.body));
  out->Close();
}

void StreamBlob(http::Loop& loop, std::shared_ptr<artifacts::BlobStore> blobs, const std::string& key,
                std::shared_ptr<http::StreamWriter> out) {
  auto size = blobs->Size(key);
  if (!size) return StreamError(out, size.error());
  std::make_shared<BlobStream>(loop, std::move(blobs), key, *size, std::move(out))->Next();
}

}  // namespace kraken::api
