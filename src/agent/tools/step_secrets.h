// The secrets the server attached to a step for the fields that name one (`ssh-key`,
// `access-token`; see secrets/named_secrets.h for the "#secrets" entry), and a private file
// for an ssh key.
#pragma once

#include <string>

#include "core/error.h"
#include "core/json.h"

namespace kraken::tools {

// The entry the server attached for `field` ({name, secret} or {name, username, key}), or
// an error naming the field when it did not (as under `kraken tool run`, which has none).
Result<Json> AttachedSecret(const Json& fields, const std::string& field);

// An ssh private key in a file of mode 0600, alone in a temporary directory of mode 0700;
// both are removed when the SshKeyFile is destroyed. Movable, not copyable.
class SshKeyFile {
 public:
  static Result<SshKeyFile> Write(std::string key);

  SshKeyFile() = default;
  SshKeyFile(SshKeyFile&& other) noexcept { *this = std::move(other); }
  SshKeyFile& operator=(SshKeyFile&& other) noexcept;
  SshKeyFile(const SshKeyFile&) = delete;
  SshKeyFile& operator=(const SshKeyFile&) = delete;
  ~SshKeyFile() { Remove(); }

  const std::string& path() const { return path_; }  // "" when empty
  const std::string& dir() const { return dir_; }

 private:
  void Remove();

  std::string dir_;
  std::string path_;
};

}  // namespace kraken::tools
