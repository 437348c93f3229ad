#include "store/test_db.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace kraken::store {

std::unique_ptr<TestDatabase> TestDatabase::Create(const std::string& backend,
                                                   std::string* skip_reason) {
  static std::atomic<int> counter{0};
  auto t = std::unique_ptr<TestDatabase>(new TestDatabase());
  std::string unique = std::to_string(getpid()) + "_" + std::to_string(counter++);
  if (backend == "sqlite") {
    t->file_ =
        (std::filesystem::temp_directory_path() / ("kraken_test_" + unique + ".db")).string();
    t->url_ = "sqlite:" + t->file_;
    return t;
  }
  const char* url_file = std::getenv("KRAKEN_PG_URL_FILE");
  std::ifstream in(url_file ? url_file : "");
  std::string admin;
  if (!url_file || !std::getline(in, admin) || admin.empty()) {
    *skip_reason = "no PostgreSQL server configured (KRAKEN_PG_URL_FILE)";
    return nullptr;
  }
  auto db = OpenDb(admin);
  if (!db) {
    *skip_reason = db.error().message;
    return nullptr;
  }
  t->admin_url_ = admin;
  t->db_name_ = "kraken_test_" + unique;
  (void)(*db)->ExecScript("CREATE DATABASE " + t->db_name_);
  auto slash = admin.rfind('/');
  t->url_ = admin.substr(0, slash + 1) + t->db_name_;
  return t;
}

TestDatabase::~TestDatabase() {
  if (!file_.empty()) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((file_ + suffix).c_str());
  } else if (!db_name_.empty()) {
    if (auto db = OpenDb(admin_url_))
      (void)(*db)->ExecScript("DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)");
  }
}

std::unique_ptr<Db> TestDatabase::Connect() const {
  auto db = OpenDb(url_);
  if (!db) std::abort();
  return std::move(*db);
}

}  // namespace kraken::store
