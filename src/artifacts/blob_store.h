// BlobStore: where artifact and cache files live, behind a small interface so an
// S3-compatible store can replace the local one. Keys are relative paths chosen by the
// caller ("artifacts/12/34"). FileBlobStore keeps them as files under a root directory.
//
// FileBlobStore is used from the server's event loop only; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace kraken::artifacts {

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Writes data at offset (creating the blob); writing the same piece twice is harmless.
  virtual Status WriteAt(const std::string& key, uint64_t offset, std::string_view data) = 0;
  // Up to `max_bytes` from `offset` (fewer at the end; none past it): large blobs are sent
  // a piece at a time.
  virtual Result<std::string> ReadAt(const std::string& key, uint64_t offset, size_t max_bytes) = 0;
  virtual Result<uint64_t> Size(const std::string& key) = 0;
  virtual Status Remove(const std::string& key) = 0;
};

class FileBlobStore : public BlobStore {
 public:
  explicit FileBlobStore(std::string root) : root_(std::move(root)) {}
  Status WriteAt(const std::string& key, uint64_t offset, std::string_view data) override;
  Result<std::string> ReadAt(const std::string& key, uint64_t offset, size_t max_bytes) override;
  Result<uint64_t> Size(const std::string& key) override;
  Status Remove(const std::string& key) override;

 private:
  std::string PathOf(const std::string& key) const { return root_ + "/" + key; }
  std::string root_;
};

}  // namespace kraken::artifacts
