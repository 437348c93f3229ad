// Test support: opens a fresh, empty database of either backend for one test. For
// PostgreSQL it creates a uniquely named database on the fixture's server (whose URL is in
// the file named by KRAKEN_PG_URL_FILE) and drops it afterwards.
#pragma once

#include <memory>
#include <string>

#include "store/db.h"

namespace kraken::store {

class TestDatabase {
 public:
  // backend: "sqlite" or "postgresql". Returns nullptr (with `skip_reason`) when PostgreSQL
  // is not configured for this test run.
  static std::unique_ptr<TestDatabase> Create(const std::string& backend, std::string* skip_reason);
  ~TestDatabase();

  // A new connection to the test database.
  std::unique_ptr<Db> Connect() const;
  const std::string& url() const { return url_; }

 private:
  std::string url_;
  std::string admin_url_;  // PostgreSQL: the server's maintenance database
  std::string db_name_;
  std::string file_;  // SQLite: the file
};

}  // namespace kraken::store
