#include "agent/tools/git_credentials.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace kraken::tools {
namespace {

namespace fs = std::filesystem;

constexpr const char* kNamedSecrets = "#secrets";  // secrets::kNamedSecretsField

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The value the server attached for `field`, or an error saying it did not.
Result<Json> Attached(const Json& fields, const std::string& field, const std::string& name) {
  auto named = fields.find(kNamedSecrets);
  if (named != fields.end() && named->is_object() && named->contains(field) &&
      (*named)[field].is_object() && (*named)[field].value("name", "") == name)
    return (*named)[field];
  return Invalid(field, "the value of secret '" + name +
                            "' was not given to this step (the server resolves secret names for "
                            "the steps of a flow; `kraken tool run` has no secrets)");
}

// "https://host:port/" of an http(s) URL, or "" for any other URL.
std::string HttpOrigin(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  std::string scheme = url.substr(0, scheme_end);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https") return "";
  size_t host_end = url.find('/', scheme_end + 3);
  std::string authority = url.substr(scheme_end + 3, host_end == std::string::npos
                                                          ? std::string::npos
                                                          : host_end - scheme_end - 3);
  if (authority.empty()) return "";
  return scheme + "://" + authority + "/";
}

// Whether an ssh URL names its user: ssh://user@host/..., user@host:path.
bool UrlNamesUser(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/:", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start)
             .find('@') != std::string::npos;
}

}  // namespace

std::string Base64(const std::string& bytes) {
  static const char* kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kChars[(n >> shift) & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += kChars[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<GitCredentials> GitCredentials::FromFields(const Json& fields, const std::string& url) {
  GitCredentials out;
  std::string token_name = fields.value("access-token", Json("")).is_string()
                               ? fields.value("access-token", "") : "";
  std::string key_name = fields.value("ssh-key", Json("")).is_string()
                             ? fields.value("ssh-key", "") : "";
  if (!token_name.empty()) {
    KR_ASSIGN(Json token, Attached(fields, "access-token", token_name));
    std::string origin = HttpOrigin(url);
    if (origin.empty())
      return Invalid("access-token", "an access token is used only with http(s) URLs; use ssh-key for " + url);
    std::string header =
        "Authorization: Basic " + Base64("x-access-token:" + token.value("secret", ""));
    out.env_["GIT_CONFIG_COUNT"] = "1";
    out.env_["GIT_CONFIG_KEY_0"] = "http." + origin + ".extraHeader";
    out.env_["GIT_CONFIG_VALUE_0"] = header;
  }
  if (!key_name.empty()) {
    KR_ASSIGN(Json key, Attached(fields, "ssh-key", key_name));
    std::string dir_template = (fs::temp_directory_path() / "kraken-ssh-XXXXXX").string();
    if (!mkdtemp(dir_template.data()))  // mode 0700
      return Invalid("ssh-key", "cannot make a temporary directory for the key");
    out.temp_dir_ = dir_template;
    out.key_file_ = out.temp_dir_ + "/id";
    std::string text = key.value("key", "");
    // OpenSSH refuses a key whose last line has no newline.
    if (!text.empty() && text.back() != '\n') text += '\n';
    int fd = ::open(out.key_file_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Invalid("ssh-key", "cannot write the key file");
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    ::close(fd);
    if (done != text.size()) return Invalid("ssh-key", "cannot write the key file");
    std::string command = "ssh -i " + ShellQuote(out.key_file_) +
                          " -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes";
    std::string user = key.value("username", "");
    if (!user.empty() && !UrlNamesUser(url)) command += " -o User=" + ShellQuote(user);
    out.env_["GIT_SSH_COMMAND"] = command;
  }
  return out;
}

GitCredentials::GitCredentials(GitCredentials&& other) noexcept { *this = std::move(other); }

GitCredentials& GitCredentials::operator=(GitCredentials&& other) noexcept {
  if (this != &other) {
    if (!temp_dir_.empty()) {  // a key this one held
      std::error_code ec;
      fs::remove_all(temp_dir_, ec);
    }
    env_ = std::move(other.env_);
    temp_dir_ = std::move(other.temp_dir_);
    key_file_ = std::move(other.key_file_);
    other.temp_dir_.clear();
    other.key_file_.clear();
  }
  return *this;
}

GitCredentials::~GitCredentials() {
  if (temp_dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(temp_dir_, ec);
}

}  // namespace kraken::tools
