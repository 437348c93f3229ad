#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "settings/cloud_accounts.h"
#include "settings/secret_box.h"
#include "store/migrations.h"
#include "store/test_db.h"

namespace kraken::settings {
namespace {

std::string TempDir() {
  char dir[] = "/tmp/kraken-settings-test-XXXXXX";
  EXPECT_TRUE(mkdtemp(dir));
  return dir;
}

TEST(SecretBox, KeyFileIsMadeOnceWithOwnerOnlyPermissions) {
  std::string dir = TempDir();
  auto first = SecretBox::LoadOrCreate(dir + "/server.key");
  ASSERT_TRUE(first) << first.error().message;
  struct stat st {};
  ASSERT_EQ(stat((dir + "/server.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  auto again = SecretBox::LoadOrCreate(dir + "/server.key");
  ASSERT_TRUE(again);
  // The same key: what the first sealed, the second opens.
  EXPECT_EQ(*again->Open(first->Seal("wJalrXUtnFEMI/K7MDENG")), "wJalrXUtnFEMI/K7MDENG");
  chmod((dir + "/server.key").c_str(), 0644);
  EXPECT_FALSE(SecretBox::LoadOrCreate(dir + "/server.key"));  // readable by others: refused
  std::filesystem::remove_all(dir);
}

TEST(SecretBox, SealedTextHidesTheSecretAndDetectsTampering) {
  SecretBox box = SecretBox::FromKey(std::string(32, 'k'));
  std::string sealed = box.Seal("wJalrXUtnFEMI/K7MDENG");
  EXPECT_TRUE(sealed.starts_with("v1:"));
  EXPECT_EQ(sealed.find("wJalr"), std::string::npos);
  EXPECT_NE(sealed, box.Seal("wJalrXUtnFEMI/K7MDENG"));  // a fresh nonce each time
  std::string altered = sealed;
  altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.Open(altered));
  EXPECT_FALSE(SecretBox::FromKey(std::string(32, 'x')).Open(sealed));  // another server's key
  EXPECT_EQ(*box.Open(""), "");
  EXPECT_EQ(Mask("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
}

class CloudAccountsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CloudAccountsTest, SecretsAreStoredSealedAndReadBackOpened) {
  std::string skip;
  auto test_db = store::TestDatabase::Create(GetParam(), &skip);
  if (!test_db) GTEST_SKIP() << skip;
  auto db = test_db->Connect();
  ASSERT_TRUE(store::Migrate(*db));
  SecretBox box = SecretBox::FromKey(std::string(32, 'k'));
  CloudAccounts accounts(*db, box);
  EXPECT_FALSE(accounts.GetAws()->has_value());
  AwsSettings s{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG", "session", "http://127.0.0.1:9", "eu-west-1", 0};
  ASSERT_TRUE(accounts.PutAws(s, 1000));
  auto raw = db->Exec("SELECT secret_sealed, session_token_sealed FROM cloud_accounts");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->rows[0].Text(0).find("wJalr"), std::string::npos);
  EXPECT_EQ(raw->rows[0].Text(1).find("session"), std::string::npos);
  auto back = accounts.GetAws();
  ASSERT_TRUE(back && *back);
  EXPECT_EQ((*back)->secret_access_key, "wJalrXUtnFEMI/K7MDENG");
  EXPECT_EQ((*back)->session_token, "session");
  EXPECT_EQ((*back)->endpoint, "http://127.0.0.1:9");
  EXPECT_EQ((*back)->updated, 1000);
  s.session_token.clear();
  ASSERT_TRUE(accounts.PutAws(s, 2000));  // an upsert
  EXPECT_EQ((*accounts.GetAws())->session_token, "");
  // A database copied to a server with another key gives the secret away to no one.
  SecretBox other = SecretBox::FromKey(std::string(32, 'o'));
  EXPECT_FALSE(CloudAccounts(*db, other).GetAws());
}

INSTANTIATE_TEST_SUITE_P(Backends, CloudAccountsTest, ::testing::Values("sqlite", "postgresql"));

}  // namespace
}  // namespace kraken::settings
