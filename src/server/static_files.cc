#include "server/static_files.h"

#include <openssl/evp.h>

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
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
      {".svg", "image/svg+xml"},             {".png", "image/png"},
      {".ico", "image/x-icon"},              {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"}, {".woff2", "font/woff2"}};
  auto it = kTypes.find(p.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

http::Response NotFoundJson(const std::string& path) {
  Json body = {{"error", {{"code", "not_found"}, {"message", "no route for " + path}}}};
  return http::Response::Json(404, body.dump());
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
    fs::path root = fs::weakly_canonical(ui_dir);
    fs::path file = fs::weakly_canonical(root / path.substr(1));
    // Never serve outside the UI folder, whatever the path says.
    bool inside = file.string().starts_with(root.string());
    if (!inside || !fs::is_regular_file(file)) file = root / "index.html";
    auto res = http::Response::Text(200, ReadFile(file), TypeOf(file));
    if (file.filename() != "index.html")
      res.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
    return res;
  });
}

void RegisterInstallRoutes(http::Router& router) {
  router.Get("/install/agent", [](http::Request&) {
    std::string self = fs::read_symlink("/proc/self/exe").string();
    auto res = http::Response::Text(200, ReadFile(self), "application/octet-stream");
    res.headers.emplace_back("X-Checksum-Sha256", FileSha256(self));
    return res;
  });
  router.Get("/install/agent.sha256", [](http::Request&) {
    return http::Response::Text(200, FileSha256(fs::read_symlink("/proc/self/exe").string()) + "\n");
  });
}

}  // namespace kraken::server
