// A GET request target through the server's target parsing, the router and the static-file
// routes of the web UI. The oracle: whatever the target, the answer is a refusal or a file of
// the UI folder, never a file outside it (a sibling folder holds one to catch an escape).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "http/router.h"
#include "http/target.h"
#include "server/static_files.h"

using namespace kraken;
namespace fs = std::filesystem;

namespace {

// A fixed place, so that the fuzzer (and its dictionary) can name the outside file.
const fs::path kBase = "/tmp/kraken-fuzz-static";
constexpr const char* kSecret = "outside the web UI folder";

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

http::Router& StaticRouter() {
  static http::Router* router = [] {
    Write(kBase / "ui/index.html", "<html>index</html>");
    Write(kBase / "ui/assets/app.js", "app");
    Write(kBase / "ui-private/secret.txt", kSecret);
    Write(kBase / "secret.txt", kSecret);
    auto* r = new http::Router;
    server::RegisterStaticRoutes(*r, (kBase / "ui").string());
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::Router& router = StaticRouter();
  http::Request request;
  request.method = "GET";
  request.target.assign(reinterpret_cast<const char*>(data), size);
  if (http::ParseTarget(request.target, request.path, request.query)) return 0;  // a 400
  int status = 0;
  const http::Router::Target* target = router.Match(request, status);
  if (target == nullptr) return 0;
  http::Response response = std::get<http::Handler>(*target)(request);
  if (response.body == kSecret) {
    fprintf(stderr, "static files: %s served a file outside the UI folder\n",
            request.target.c_str());
    abort();
  }
  return 0;
}
