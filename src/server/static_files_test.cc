// The web UI's files over real HTTP: only files inside the UI folder are served, whatever
// the request path says, and every UI response carries the browser security headers.
#include "server/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "http/test_server.h"

namespace kraken::server {
namespace {

namespace fs = std::filesystem;

constexpr char kSecret[] = "SERVER-KEY-BYTES";
constexpr char kIndex[] = "<!doctype html><title>Kraken</title>";

class StaticFilesTest : public http::ServerTest {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("kraken-static-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "ui" / "assets");
    fs::create_directories(base_ / "ui-secret");
    Write(base_ / "ui" / "index.html", kIndex);
    Write(base_ / "ui" / "assets" / "app.js", "console.log(1)");
    Write(base_ / "server.key", kSecret);
    Write(base_ / "ui-secret" / "kraken.db", kSecret);
    // Links that lead out of the folder: to a file, to a folder, and to a sibling folder
    // whose name merely starts with the UI folder's.
    fs::create_symlink(base_ / "server.key", base_ / "ui" / "leak");
    fs::create_symlink(base_, base_ / "ui" / "up");
    fs::create_symlink(base_ / "ui-secret" / "kraken.db", base_ / "ui" / "sibling");
    RegisterStaticRoutes(router_, (base_ / "ui").string());
    Start();
  }
  void TearDown() override {
    http::ServerTest::TearDown();
    fs::remove_all(base_);
  }
  static void Write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

  // The raw response to GET `target`, sent as is (no client normalises it).
  std::string Get(const std::string& target) {
    http::RawSocket s(server_->port());
    EXPECT_TRUE(s.connected());
    s.Send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    return s.ReadAll();
  }
  static int Status(const std::string& response) {
    return response.size() > 12 ? std::atoi(response.c_str() + 9) : 0;
  }

  fs::path base_;
};

TEST_F(StaticFilesTest, ServesFilesOfTheFolderWithSecurityHeaders) {
  std::string js = Get("/assets/app.js");
  EXPECT_EQ(Status(js), 200) << js;
  EXPECT_NE(js.find("console.log(1)"), std::string::npos);
  std::string page = Get("/projects/3/");
  EXPECT_EQ(Status(page), 200);
  EXPECT_NE(page.find(kIndex), std::string::npos) << "a UI route gets index.html";
  for (const std::string& r : {js, page}) {
    EXPECT_NE(r.find("Content-Security-Policy: " + std::string(kUiContentSecurityPolicy)),
              std::string::npos)
        << r;
    EXPECT_NE(r.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_NE(r.find("X-Frame-Options: DENY"), std::string::npos);
    EXPECT_NE(r.find("X-Content-Type-Options: nosniff"), std::string::npos);
    EXPECT_NE(r.find("Referrer-Policy: no-referrer"), std::string::npos);
  }
}

TEST_F(StaticFilesTest, RefusesPathsThatLeaveTheFolderWith400) {
  std::string abs = base_.string();
  std::vector<std::string> targets = {
      "/" + abs + "/server.key",  // "//tmp/...": root / "/tmp/..." would be absolute
      "/%2f" + abs.substr(1) + "/server.key",
      "/%2F" + abs.substr(1) + "/server.key",
      "/" + abs + "/ui-secret/kraken.db",  // a sibling whose name starts with the folder's
      "/%2f" + abs.substr(1) + "/ui-secret/kraken.db",
      "/assets//..%2f..%2fserver.key",
      "/../server.key",
      "/assets/../../server.key",
      "/%2e%2e/server.key",
      "/assets/%2e%2e%2f%2e%2e%2fserver.key",
      "/..%5c..%5cserver.key",
      "/assets\\..\\..\\server.key",
      "/assets/app.js%00.html",
      "/.%2fassets/app.js"};
  for (const std::string& target : targets) {
    std::string r = Get(target);
    EXPECT_EQ(Status(r), 400) << target << "\n" << r;
    EXPECT_EQ(r.find(kSecret), std::string::npos) << target;
    EXPECT_NE(r.find("\"message\""), std::string::npos) << target << ": a JSON error says why";
  }
}

TEST_F(StaticFilesTest, DoesNotFollowSymlinksOutOfTheFolder) {
  for (const char* target : {"/leak", "/up/server.key", "/up/ui-secret/kraken.db", "/sibling"}) {
    std::string r = Get(target);
    EXPECT_EQ(r.find(kSecret), std::string::npos) << target << "\n" << r;
    EXPECT_NE(r.find(kIndex), std::string::npos) << target << ": served as a page of the UI";
  }
}

}  // namespace
}  // namespace kraken::server
