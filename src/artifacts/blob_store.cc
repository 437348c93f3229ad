#include "artifacts/blob_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace kraken::artifacts {

namespace fs = std::filesystem;

Status FileBlobStore::WriteAt(const std::string& key, uint64_t offset, std::string_view data) {
  fs::path p = PathOf(key);
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(ErrorCode::kInternal, "cannot write blob " + key);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n =
        ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n <= 0) {
      ::close(fd);
      return Fail(ErrorCode::kInternal, "cannot write blob " + key);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return {};
}

Result<std::string> FileBlobStore::ReadAt(const std::string& key, uint64_t offset,
                                          size_t max_bytes) {
  int fd = ::open(PathOf(key).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("blob " + key + " not found");
  std::string out(max_bytes, '\0');
  size_t done = 0;
  while (done < max_bytes) {
    ssize_t n = ::pread(fd, out.data() + done, max_bytes - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Fail(ErrorCode::kInternal, "cannot read blob " + key);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(done);
  return out;
}

Result<uint64_t> FileBlobStore::Size(const std::string& key) {
  std::error_code ec;
  auto n = fs::file_size(PathOf(key), ec);
  if (ec) return NotFound("blob " + key + " not found");
  return static_cast<uint64_t>(n);
}

Status FileBlobStore::Remove(const std::string& key) {
  std::error_code ec;
  fs::remove(PathOf(key), ec);
  return {};
}

}  // namespace kraken::artifacts
