#include "api/blob_download.h"

#include <spdlog/spdlog.h>

#include <cctype>

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

// The file name for Content-Disposition: printable ASCII without quotes or backslashes (a
// plain fallback), and the exact name percent-encoded as RFC 6266's filename*.
std::string AttachmentOf(const std::string& name) {
  std::string plain, encoded;
  static const char* kHex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    plain += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '_';
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return "attachment; filename=\"" + plain + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace

void SetUserContentHeaders(http::StreamWriter& out, const std::string& path) {
  std::string name = path.substr(path.rfind('/') + 1);
  bool html = name.ends_with(".html") || name.ends_with(".htm");
  out.SetContentType(html ? "text/html; charset=utf-8" : "application/octet-stream");
  if (!html) out.AddHeader("Content-Disposition", AttachmentOf(name));
  out.AddHeader("Content-Security-Policy", std::string(kUserContentPolicy));
  out.AddHeader("X-Content-Type-Options", "nosniff");
}

void StreamError(const std::shared_ptr<http::StreamWriter>& out, const Error& error) {
  http::Response r = ErrorResponse(error);
  out->SetStatus(r.status);
  out->SetContentType(r.content_type);
  out->Write(std::move(r.body));
  out->Close();
}

void StreamBlob(http::Loop& loop, std::shared_ptr<artifacts::BlobStore> blobs,
                const std::string& key, std::shared_ptr<http::StreamWriter> out) {
  auto size = blobs->Size(key);
  if (!size) return StreamError(out, size.error());
  std::make_shared<BlobStream>(loop, std::move(blobs), key, *size, std::move(out))->Next();
}

}  // namespace kraken::api
