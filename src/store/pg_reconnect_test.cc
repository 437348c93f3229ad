// A PostgreSQL connection survives a restart of the server: the transaction after the
// restart reconnects and goes through. Restarting the suite's shared server would break the
// tests that use it meanwhile, so this one starts a cluster of its own (tests/pg/start.sh).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "store/db.h"
#include "store/pg_db.h"

namespace kraken::store {
namespace {

namespace fs = std::filesystem;

// A throw-away cluster in `state`, stopped when the object goes.
class OwnCluster {
 public:
  explicit OwnCluster(fs::path state) : state_(std::move(state)) {}
  ~OwnCluster() {
    Run(std::string(KRAKEN_SOURCE_DIR) + "/tests/pg/stop.sh " + state_.string());
    std::error_code ec;
    fs::remove_all(state_, ec);
  }
  bool Start() {
    // Away from the shared cluster's port; start.sh moves on when this one is taken.
    return Run(std::string(KRAKEN_SOURCE_DIR) + "/tests/pg/start.sh " + state_.string() +
               " 25532 >/dev/null");
  }
  std::string Url() const {
    std::ifstream in(state_ / "url");
    std::string url;
    std::getline(in, url);
    return url;
  }
  bool Restart() const {
    std::ifstream in(state_ / "cluster");
    std::string cluster;
    if (!std::getline(in, cluster) || cluster.empty()) return false;
    std::string as_pg = getuid() == 0 ? "runuser -u postgres -- " : "";
    return Run("bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); " + as_pg +
               "\"$bin/pg_ctl\" -D " + cluster + "/data -w -t 60 -m fast restart >/dev/null");
  }

 private:
  static bool Run(const std::string& command) { return std::system(command.c_str()) == 0; }
  fs::path state_;
};

TEST(PgReconnectTest, TheTransactionAfterAServerRestartReconnects) {
  if (!std::getenv("KRAKEN_PG_URL_FILE"))
    GTEST_SKIP() << "no PostgreSQL for the tests (KRAKEN_PG_URL_FILE unset: run through ctest)";
  char tmpl[] = "/tmp/kraken-pg-reconnect-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  OwnCluster cluster(tmpl);
  ASSERT_TRUE(cluster.Start());
  auto opened = PgDb::Open(cluster.Url());
  ASSERT_TRUE(opened) << opened.error().message;
  auto& db = *opened;
  ASSERT_TRUE(db->ExecScript("CREATE TABLE kept (v INTEGER)"));
  ASSERT_TRUE(db->Exec("INSERT INTO kept (v) VALUES (?)", {int64_t{1}}));

  ASSERT_TRUE(cluster.Restart());

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
  ASSERT_TRUE(cluster.Restart());
  (void)db->Exec("SELECT 1");  // may fail: this is where the client learns of the restart
  auto again = db->Exec("SELECT count(*) FROM kept");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->rows[0].Int(0), 2);
}

}  // namespace
}  // namespace kraken::store
