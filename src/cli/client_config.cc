#include "cli/client_config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace kraken::cli {

Result<ClientConfig> ResolveClientConfig(const std::string& server_flag,
                                         const std::string& token_flag, const std::string& data_dir,
                                         const http::TlsTrust& tls_flags) {
  ClientConfig c;
  Json saved = Json::parse(std::ifstream(data_dir + "/cli.json"), nullptr, false);
  if (saved.is_discarded()) saved = Json::object();
  const char* env_server = std::getenv("KRAKEN_SERVER");
  const char* env_token = std::getenv("KRAKEN_TOKEN");
  c.server = !server_flag.empty() ? server_flag
             : env_server         ? env_server
                                  : saved.value("server", "");
  c.token = !token_flag.empty() ? token_flag : env_token ? env_token : saved.value("token", "");
  if (c.server.empty())
    return Invalid("server",
                   "no server: pass --server, set KRAKEN_SERVER, or run `kraken up` "
                   "in this folder");
  while (c.server.ends_with('/')) c.server.pop_back();
  c.tls = tls_flags;
  if (c.tls.ca_file.empty() && c.tls.fingerprint.empty() && c.server == saved.value("server", "")) {
    c.tls.ca_file = saved.value("ca_file", "");
    c.tls.fingerprint = saved.value("tls_fingerprint", "");
  }
  return c;
}

Status WriteClientConfig(const std::string& data_dir, const ClientConfig& config) {
  std::filesystem::path p = std::filesystem::path(data_dir) / "cli.json";
  std::ofstream out(p);
  Json saved = {{"server", config.server}, {"token", config.token}};
  if (!config.tls.ca_file.empty()) saved["ca_file"] = config.tls.ca_file;
  if (!config.tls.fingerprint.empty()) saved["tls_fingerprint"] = config.tls.fingerprint;
  out << saved.dump(2) << "\n";
  if (!out) return Fail(ErrorCode::kInternal, "cannot write " + p.string());
  std::filesystem::permissions(
      p, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return {};
}

Result<Json> Api(http::Client& client, const ClientConfig& config, const std::string& method,
                 const std::string& path, const Json& body) {
  std::vector<std::string> headers = {"Content-Type: application/json"};
  if (!config.token.empty()) headers.push_back("Authorization: Bearer " + config.token);
  auto res =
      client.Request(method, config.server + path, body.is_null() ? "" : body.dump(), headers);
  if (!res) return tl::unexpected(res.error());
  Json j = Json::parse(res->body, nullptr, false);
  if (res->status >= 300) {
    std::string msg = (!j.is_discarded() && j.contains("error"))
                          ? j["error"].value("message", "") +
                                (j["error"].contains("field")
                                     ? " (" + j["error"]["field"].get<std::string>() + ")"
                                     : "")
                          : res->body;
    return Fail(res->status == 404 ? ErrorCode::kNotFound : ErrorCode::kInvalid,
                "HTTP " + std::to_string(res->status) + ": " + msg);
  }
  if (j.is_discarded()) return Fail(ErrorCode::kInternal, "the server sent invalid JSON");
  return j;
}

}  // namespace kraken::cli
