#include "auth/auth.h"

#include <gtest/gtest.h>

#include "auth/crypto.h"
#include "store/test_db.h"

namespace kraken::auth {
namespace {

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitCrypto());
    std::string skip;
    db_ = store::TestDatabase::Create("sqlite", &skip);
    store_ = std::move(*store::Store::Open(db_->Connect()));
  }
  std::unique_ptr<store::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
};

TEST_F(AuthTest, PasswordsAreHashedWithArgon2id) {
  auto hash = HashPassword("s3cret");
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_TRUE(VerifyPassword(*hash, "s3cret"));
  EXPECT_FALSE(VerifyPassword(*hash, "S3cret"));
}

TEST_F(AuthTest, FirstAdminIsCreatedOnce) {
  Auth auth(*store_, clock_);
  auto first = auth.EnsureAdmin("");
  ASSERT_TRUE(first && first->has_value());
  EXPECT_EQ((*first)->size(), 16u);
  auto second = auth.EnsureAdmin("other");
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->has_value());
  EXPECT_TRUE(auth.Login("admin", **first));
}

TEST_F(AuthTest, SessionsExpireAndTokensAuthenticate) {
  Auth auth(*store_, clock_);
  ASSERT_TRUE(auth.EnsureAdmin("pw"));
  EXPECT_EQ(auth.Login("admin", "bad").error().code, ErrorCode::kUnauthorized);
  auto session = auth.Login("admin", "pw");
  ASSERT_TRUE(session);
  auto who = auth.Authenticate(*session);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->user.name, "admin");
  EXPECT_EQ(who->token_kind, "session");

  auto api = auth.CreateApiToken(who->user.id, "ci-script");
  ASSERT_TRUE(api);
  clock_.Advance(Auth::kSessionLifetime + 1);
  EXPECT_FALSE(auth.Authenticate(*session));          // sessions expire
  EXPECT_TRUE(auth.Authenticate(api->token));         // API tokens do not
  EXPECT_FALSE(auth.Authenticate("kkt_forged"));
  EXPECT_FALSE(auth.Authenticate(""));
}

}  // namespace
}  // namespace kraken::auth
