#include "server/data_dir.h"

#include <sys/stat.h>

#include <filesystem>

namespace kraken::server {

namespace fs = std::filesystem;

namespace {

constexpr auto kOthers = fs::perms::group_all | fs::perms::others_all;

// Takes group's and others' rights from `p` (not following a symlink).
void Tighten(const fs::path& p, std::error_code& ec) {
  auto st = fs::symlink_status(p, ec);
  if (ec || fs::is_symlink(st) || (st.permissions() & kOthers) == fs::perms::none) return;
  fs::permissions(p, st.permissions() & ~kOthers, ec);
}

}  // namespace

Status PrepareDataDir(const std::string& dir) {
  umask(077);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(ErrorCode::kInvalid, "cannot create data dir " + dir + ": " + ec.message());
  auto st = fs::status(dir, ec);
  if (ec || (st.permissions() & kOthers) == fs::perms::none) return {};
  // Written by an older version, with the default umask: everything in it is tightened once.
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec))
    Tighten(it->path(), ec);
  if (!ec) Tighten(dir, ec);
  if (ec)
    return Fail(ErrorCode::kInternal,
                "cannot restrict data dir " + dir + " to its owner: " + ec.message());
  return {};
}

}  // namespace kraken::server
