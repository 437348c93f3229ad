#include "server/static_files.h"

#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/json.h"

namespace kraken::server {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string TypeOf(const fs::path& p) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"}};
  auto it = kTypes.find(p.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

http::Response NotFoundJson(const std::string& path) {
  // The path is the client's, decoded: any bytes, so not always UTF-8.
  Json body = {{"error", {{"code", "not_found"}, {"message", "no route for " + path}}}};
  return http::Response::Json(404, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

http::Response BadPathJson(const std::string& path, const Error& error) {
  Json body = {
      {"error",
       {{"code", "invalid"},
        {"message",
         error.message + ": " + Json(path).dump(-1, ' ', false, Json::error_handler_t::replace)}}}};
  return http::Response::Json(400, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

// The UI loads only its own scripts, styles and API; no page may frame it.
void AddUiSecurityHeaders(http::Response& res) {
  res.headers.emplace_back("Content-Security-Policy", std::string(kUiContentSecurityPolicy));
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
}

}  // namespace

std::string FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) EVP_DigestUpdate(ctx, buf, in.gcount());
  unsigned char md[32];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

Result<fs::path> ResolveUiFile(const fs::path& root, std::string_view request_path) {
  std::error_code ec;
  fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return NotFound("the web UI folder " + root.string() + " is unavailable");
  if (request_path.find_first_of(std::string_view("\\\0", 2)) != std::string_view::npos)
    return Fail(ErrorCode::kInvalid, "a path of the web UI has no backslash or NUL byte");
  fs::path file = canonical_root;
  std::string_view rest = request_path.substr(request_path.starts_with('/') ? 1 : 0);
  if (rest.ends_with('/')) rest.remove_suffix(1);  // a page's URL may end with a slash
  for (size_t start = 0; !rest.empty() && start <= rest.size();) {
    size_t end = std::min(rest.find('/', start), rest.size());
    std::string_view segment = rest.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..")
      return Fail(ErrorCode::kInvalid, "a path of the web UI has no empty, '.' or '..' segment");
    file /= segment;
    start = end + 1;
  }
  // canonical() follows every symlink: what it names must still lie inside the root.
  file = fs::canonical(file, ec);
  if (ec || !fs::is_regular_file(file, ec)) return NotFound("no such file");
  if (std::mismatch(canonical_root.begin(), canonical_root.end(), file.begin(), file.end()).first !=
      canonical_root.end())
    return NotFound("no such file");
  return file;
}

void RegisterStaticRoutes(http::Router& router, const std::string& ui_dir) {
  router.Get("/{path...}", [ui_dir](http::Request& req) {
    const std::string& path = req.path;
    if (path.starts_with("/api/") || path.starts_with("/agent/") || path.starts_with("/install/"))
      return NotFoundJson(path);
    if (ui_dir.empty() || !fs::exists(fs::path(ui_dir) / "index.html"))
      return http::Response::Text(
          200,
          "Kraken server is running. The web UI is not built: run `npm ci && npm run build` "
          "in ui/ (the README set-up command does it).\n");
    auto found = ResolveUiFile(ui_dir, path);
    if (!found && found.error().code == ErrorCode::kInvalid)
      return BadPathJson(path, found.error());
    // Any other path is a page of the UI, which routes with the History API.
    fs::path file = found ? *found : fs::path(ui_dir) / "index.html";
    auto res = http::Response::Text(200, ReadFile(file), TypeOf(file));
    AddUiSecurityHeaders(res);
    if (file.filename() != "index.html")
      res.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
    return res;
  });
}

void RegisterInstallRoutes(http::Router& router, const AgentBinary& agent) {
  if (agent.path.empty()) {
    auto missing = [](http::Request&) {
      return http::Response::Text(
          404,
          "this server has no kraken-agent to hand out: build it (cmake --build build --target "
          "kraken-agent), install it beside the kraken binary, or start the server with "
          "--agent-binary PATH\n");
    };
    router.Get("/install/agent", missing);
    router.Get("/install/agent.sha256", missing);
    return;
  }
  router.Get("/install/agent", [agent](http::Request&) {
    auto res = http::Response::Text(200, ReadFile(agent.path), "application/octet-stream");
    res.headers.emplace_back("X-Checksum-Sha256", agent.sha256);
    return res;
  });
  router.Get("/install/agent.sha256",
             [agent](http::Request&) { return http::Response::Text(200, agent.sha256 + "\n"); });
}

}  // namespace kraken::server
