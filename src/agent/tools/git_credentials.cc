#include "agent/tools/git_credentials.h"

#include <cctype>

#include "agent/tools/tool_util.h"

namespace kraken::tools {
namespace {

// "https://host:port/" of an http(s) URL, or "" for any other URL.
std::string HttpOrigin(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  std::string scheme = url.substr(0, scheme_end);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https") return "";
  size_t host_end = url.find('/', scheme_end + 3);
  std::string authority =
      url.substr(scheme_end + 3,
                 host_end == std::string::npos ? std::string::npos : host_end - scheme_end - 3);
  if (authority.empty()) return "";
  return scheme + "://" + authority + "/";
}

// Whether an ssh URL names its user: ssh://user@host/..., user@host:path.
bool UrlNamesUser(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/:", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start).find('@') !=
         std::string::npos;
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
  std::string token_name =
      fields.value("access-token", Json("")).is_string() ? fields.value("access-token", "") : "";
  std::string key_name =
      fields.value("ssh-key", Json("")).is_string() ? fields.value("ssh-key", "") : "";
  if (!token_name.empty()) {
    KR_ASSIGN(Json token, AttachedSecret(fields, "access-token"));
    std::string origin = HttpOrigin(url);
    if (origin.empty())
      return Invalid("access-token",
                     "an access token is used only with http(s) URLs; use ssh-key for " + url);
    std::string header =
        "Authorization: Basic " + Base64("x-access-token:" + token.value("secret", ""));
    out.env_["GIT_CONFIG_COUNT"] = "1";
    out.env_["GIT_CONFIG_KEY_0"] = "http." + origin + ".extraHeader";
    out.env_["GIT_CONFIG_VALUE_0"] = header;
  }
  if (!key_name.empty()) {
    KR_ASSIGN(Json key, AttachedSecret(fields, "ssh-key"));
    KR_ASSIGN(out.key_, SshKeyFile::Write(key.value("key", "")));
    std::string command =
        "ssh -i " + ShellQuote(out.key_.path()) +
        " -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes";
    std::string user = key.value("username", "");
    if (!user.empty() && !UrlNamesUser(url)) command += " -o User=" + ShellQuote(user);
    out.env_["GIT_SSH_COMMAND"] = command;
  }
  return out;
}

}  // namespace kraken::tools
