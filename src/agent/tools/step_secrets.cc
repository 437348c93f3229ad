#include "agent/tools/step_secrets.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

namespace kraken::tools {

namespace fs = std::filesystem;

Result<Json> AttachedSecret(const Json& fields, const std::string& field) {
  std::string name = fields.value(field, Json("")).is_string() ? fields.value(field, "") : "";
  auto named = fields.find("#secrets");  // secrets::kNamedSecretsField
  if (named != fields.end() && named->is_object() && named->contains(field) &&
      (*named)[field].is_object() && (*named)[field].value("name", "") == name)
    return (*named)[field];
  return Invalid(field, "the value of secret '" + name +
                            "' was not given to this step (the server resolves secret names for "
                            "the steps of a flow; `kraken tool run` has no secrets)");
}

Result<SshKeyFile> SshKeyFile::Write(std::string key) {
  SshKeyFile out;
  std::string dir = (fs::temp_directory_path() / "kraken-ssh-XXXXXX").string();
  if (!mkdtemp(dir.data()))  // mode 0700
    return Invalid("ssh-key", "cannot make a temporary directory for the key");
  out.dir_ = dir;
  out.path_ = dir + "/id";
  // OpenSSH refuses a key whose last line has no newline.
  if (!key.empty() && key.back() != '\n') key += '\n';
  int fd = ::open(out.path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Invalid("ssh-key", "cannot write the key file");
  size_t done = 0;
  while (done < key.size()) {
    ssize_t n = ::write(fd, key.data() + done, key.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (done != key.size()) return Invalid("ssh-key", "cannot write the key file");
  return out;
}

SshKeyFile& SshKeyFile::operator=(SshKeyFile&& other) noexcept {
  if (this != &other) {
    Remove();
    dir_ = std::move(other.dir_);
    path_ = std::move(other.path_);
    other.dir_.clear();
    other.path_.clear();
  }
  return *this;
}

void SshKeyFile::Remove() {
  if (dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
  dir_.clear();
  path_.clear();
}

}  // namespace kraken::tools
