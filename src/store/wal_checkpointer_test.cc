#include "store/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "store/sqlite_db.h"

namespace kraken::store {
namespace {

TEST(WalCheckpointerTest, AGrowingLogIsCheckpointedOffTheWritersThread) {
  auto dir = std::filesystem::temp_directory_path() / ("kraken-wal-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "k.db").string();
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db) << db.error().message;
    auto* sqlite = static_cast<SqliteDb*>(db->get());
    ASSERT_NE(sqlite->checkpointer(), nullptr);
    ASSERT_TRUE((*db)->ExecScript("CREATE TABLE t (v TEXT)"));
    // Commits of ~8 KiB each: the log passes 1,000 pages (4 MiB) after ~500 of them, and
    // the writer's own commits never checkpoint (the file stays small until the thread does).
    std::string row(8000, 'x');
    for (int i = 0; i < 1200; ++i) ASSERT_TRUE((*db)->Exec("INSERT INTO t (v) VALUES (?)", {row}));
    // A checkpoint that ran while the inserts went on copied only part of the log; each
    // further commit asks for another while the log is still long, until the rows are all
    // in the database file itself.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while ((sqlite->checkpointer()->completed() == 0 ||
            std::filesystem::file_size(path) <= (4u << 20)) &&
           std::chrono::steady_clock::now() < deadline) {
      ASSERT_TRUE((*db)->Exec("INSERT INTO t (v) VALUES (?)", {std::string("small")}));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GE(sqlite->checkpointer()->completed(), 1);
    EXPECT_GT(std::filesystem::file_size(path), 4u << 20);
    auto count = (*db)->Exec("SELECT COUNT(*) FROM t WHERE length(v) = 8000", {});
    ASSERT_TRUE(count);
    EXPECT_EQ(count->rows[0].Int(0), 1200);
  }
  std::filesystem::remove_all(dir);
}

TEST(WalCheckpointerTest, AnInMemoryDatabaseHasNone) {
  auto db = SqliteDb::Open(":memory:");
  ASSERT_TRUE(db);
  EXPECT_EQ(static_cast<SqliteDb*>(db->get())->checkpointer(), nullptr);
}

}  // namespace
}  // namespace kraken::store
