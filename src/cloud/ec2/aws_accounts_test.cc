// The AWS account of Settings → Cloud is stored with its secrets sealed, on SQLite and
// PostgreSQL.
#include "cloud/ec2/aws_accounts.h"

#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/test_db.h"

namespace kraken::ec2 {
namespace {

using settings::SecretBox;

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
  AwsSettings s{"AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG",
                "session",
                "http://127.0.0.1:9",
                "eu-west-1",
                0};
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

TEST(ApplyAwsUpdateTest, SecretsLeftOutKeepTheirValueUnlessTheKeyChanges) {
  AwsSettings stored{"AKIAIOSFODNN7EXAMPLE", "secret",    "session",
                     "http://127.0.0.1:9",   "eu-west-1", 5};
  auto same_key = ApplyAwsUpdate(stored, Json{{"access_key", "AKIAIOSFODNN7EXAMPLE"}});
  ASSERT_TRUE(same_key) << same_key.error().message;
  EXPECT_EQ(same_key->secret_access_key, "secret");
  EXPECT_EQ(same_key->session_token, "session");
  EXPECT_EQ(same_key->region, "eu-west-1");
  // Another key without its secret: the old secret is not kept for it.
  auto new_key = ApplyAwsUpdate(stored, Json{{"access_key", "AKIAZZZZZZZZZZZZZZZZ"}});
  ASSERT_FALSE(new_key);
  EXPECT_EQ(new_key.error().field, "secret_access_key");
  auto full = ApplyAwsUpdate(stored, Json{{"access_key", "AKIAZZZZZZZZZZZZZZZZ"},
                                          {"secret_access_key", "other"},
                                          {"session_token", nullptr},
                                          {"endpoint", "https://ec2.example.test//"},
                                          {"region", ""}});
  ASSERT_TRUE(full) << full.error().message;
  EXPECT_EQ(full->secret_access_key, "other");
  EXPECT_EQ(full->session_token, "");
  EXPECT_EQ(full->endpoint, "https://ec2.example.test");
  EXPECT_EQ(full->region, "");
}

TEST(ApplyAwsUpdateTest, AnInvalidFieldIsAnErrorNamingIt) {
  AwsSettings stored{"AKIAIOSFODNN7EXAMPLE", "secret", "", "", "", 0};
  const std::pair<Json, const char*> cases[] = {
      {Json::array(), "body"},
      {Json{{"secret_access_key", "s"}}, "access_key"},
      {Json{{"access_key", "akia-lower"}}, "access_key"},
      {Json{{"access_key", "AKIAIOSFODNN7EXAMPLE"}, {"region", 5}}, "region"},
      {Json{{"access_key", "AKIAIOSFODNN7EXAMPLE"}, {"region", "Mars"}}, "region"},
      {Json{{"access_key", "AKIAIOSFODNN7EXAMPLE"}, {"endpoint", "ftp://x"}}, "endpoint"},
      {Json{{"access_key", "AKIAIOSFODNN7EXAMPLE"}, {"session_token", true}}, "session_token"},
  };
  for (const auto& [update, field] : cases) {
    auto result = ApplyAwsUpdate(stored, update);
    ASSERT_FALSE(result) << update.dump();
    EXPECT_EQ(result.error().field, field) << update.dump();
  }
  EXPECT_TRUE(ValidRegion("us-east-1"));
  EXPECT_TRUE(ValidRegion("ap-southeast-2"));
  EXPECT_FALSE(ValidRegion("us-east"));
}

}  // namespace
}  // namespace kraken::ec2
