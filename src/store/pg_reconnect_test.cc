// A PostgreSQL connection survives a restart of the server: the transaction after the
// restart reconnects and goes through. Runs on the throw-away server of tests/pg.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "store/test_db.h"

namespace kraken::store {
namespace {

// Restarts the test server (tests/pg/start.sh wrote where its cluster lives).
bool RestartTestServer() {
  const char* url_file = std::getenv("KRAKEN_PG_URL_FILE");
  if (!url_file) return false;
  std::ifstream in(std::filesystem::path(url_file).parent_path() / "cluster");
  std::string cluster;
  if (!std::getline(in, cluster) || cluster.empty()) return false;
  std::string as_pg = getuid() == 0 ? "runuser -u postgres -- " : "";
  std::string command = "bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); " + as_pg +
                        "\"$bin/pg_ctl\" -D " + cluster +
                        "/data -w -t 60 -m fast restart >/dev/null";
  return std::system(command.c_str()) == 0;
}

TEST(PgReconnectTest, TheTransactionAfterAServerRestartReconnects) {
  std::string skip;
  auto test_db = TestDatabase::Create("postgresql", &skip);
  if (!test_db) GTEST_SKIP() << skip;
  auto db = test_db->Connect();
  ASSERT_TRUE(db->ExecScript("CREATE TABLE kept (v INTEGER)"));
  ASSERT_TRUE(db->Exec("INSERT INTO kept (v) VALUES (?)", {int64_t{1}}));

  ASSERT_TRUE(RestartTestServer());

  {
    Transaction tx(*db);
    ASSERT_TRUE(tx.ok()) << "BEGIN did not reconnect";
    ASSERT_TRUE(db->Exec("INSERT INTO kept (v) VALUES (?)", {int64_t{2}}));
    ASSERT_TRUE(tx.Commit());
  }
  auto rows = db->Exec("SELECT count(*) FROM kept");
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->rows[0].Int(0), 2);

  // A statement outside a transaction reconnects too, once libpq has seen the break.
  ASSERT_TRUE(RestartTestServer());
  (void)db->Exec("SELECT 1");  // may fail: this is where the client learns of the restart
  auto again = db->Exec("SELECT count(*) FROM kept");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->rows[0].Int(0), 2);
}

}  // namespace
}  // namespace kraken::store
