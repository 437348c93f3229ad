#include "auth/auth.h"

#include <gtest/gtest.h>

#include <future>

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
  // No loop here: the result is handed over on the password thread, the test thread waits.
  Auth::PostToLoop inline_ = [](std::function<void()> fn) { fn(); };
};

LoginResult LoginNow(Auth& auth, const std::string& name, const std::string& password,
                     const std::string& address = "192.0.2.1") {
  std::promise<LoginResult> result;
  auth.Login(name, password, address, [&](LoginResult r) { result.set_value(std::move(r)); });
  return result.get_future().get();
}

TEST_F(AuthTest, PasswordsAreHashedWithArgon2id) {
  auto hash = HashPassword("s3cret");
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_TRUE(VerifyPassword(*hash, "s3cret"));
  EXPECT_FALSE(VerifyPassword(*hash, "S3cret"));
}

TEST_F(AuthTest, FirstAdminIsCreatedOnce) {
  Auth auth(*store_, clock_, inline_);
  auto first = auth.EnsureAdmin("");
  ASSERT_TRUE(first && first->has_value());
  EXPECT_EQ((*first)->size(), 16u);
  auto second = auth.EnsureAdmin("other");
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->has_value());
  EXPECT_TRUE(LoginNow(auth, "admin", **first).token);
}

TEST_F(AuthTest, SessionsExpireAndTokensAuthenticate) {
  Auth auth(*store_, clock_, inline_);
  ASSERT_TRUE(auth.EnsureAdmin("pw"));
  EXPECT_EQ(LoginNow(auth, "admin", "bad").token.error().code, ErrorCode::kUnauthorized);
  auto session = LoginNow(auth, "admin", "pw").token;
  ASSERT_TRUE(session);
  auto who = auth.Authenticate(*session);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->user.name, "admin");
  EXPECT_EQ(who->token_kind, "session");

  auto api = auth.CreateApiToken(who->user.id, "ci-script");
  ASSERT_TRUE(api);
  clock_.Advance(Auth::kSessionLifetime + 1);
  EXPECT_FALSE(auth.Authenticate(*session));   // sessions expire
  EXPECT_TRUE(auth.Authenticate(api->token));  // API tokens do not
  EXPECT_FALSE(auth.Authenticate("kkt_forged"));
  EXPECT_FALSE(auth.Authenticate(""));
}

TEST_F(AuthTest, WrongPasswordBurstFromOneAddressIsThrottledAndOthersStillSignIn) {
  Auth auth(*store_, clock_, inline_);
  ASSERT_TRUE(auth.EnsureAdmin("pw"));
  // Right passwords use up nothing: else the last wrong one below would be throttled.
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(LoginNow(auth, "admin", "pw").token) << i;
  }
  for (int i = 0; i < Auth::kLoginBurstPerAddress; ++i) {
    LoginResult wrong = LoginNow(auth, "admin", "bad");
    EXPECT_EQ(wrong.retry_after, 0);
    EXPECT_EQ(wrong.token.error().message, "wrong user name or password");
  }
  LoginResult throttled = LoginNow(auth, "admin", "pw");
  EXPECT_FALSE(throttled.token);
  EXPECT_EQ(throttled.retry_after, Auth::kLoginIntervalPerAddress);
  EXPECT_TRUE(LoginNow(auth, "admin", "pw", "192.0.2.2").token);
  clock_.Advance(Auth::kLoginIntervalPerAddress);
  EXPECT_TRUE(LoginNow(auth, "admin", "pw").token);
}

TEST_F(AuthTest, WrongPasswordBurstForOneUserFromManyAddressesIsThrottled) {
  Auth auth(*store_, clock_, inline_);
  ASSERT_TRUE(auth.EnsureAdmin("pw"));
  for (int i = 0; i < Auth::kLoginBurstPerUser; ++i) {
    EXPECT_EQ(LoginNow(auth, "admin", "bad", "198.51.100." + std::to_string(i)).retry_after, 0);
  }
  LoginResult throttled = LoginNow(auth, "admin", "pw", "203.0.113.1");
  EXPECT_FALSE(throttled.token);
  EXPECT_GT(throttled.retry_after, 0);
  EXPECT_NE(throttled.token.error().message.find("for this user"), std::string::npos);
}

}  // namespace
}  // namespace kraken::auth
