#include "auth/auth.h"

#include "auth/crypto.h"

namespace kraken::auth {

Result<std::optional<std::string>> Auth::EnsureAdmin(const std::string& password) {
  KR_ASSIGN(auto count, store_.CountUsers());
  if (count > 0) return std::optional<std::string>();
  std::string pw = password.empty() ? NewPassword() : password;
  KR_ASSIGN(auto hash, HashPassword(pw));
  KR_TRY(store_.CreateUser("admin", hash, /*admin=*/true));
  return std::optional<std::string>(pw);
}

Auth::Auth(store::Store& store, const Clock& clock, PostToLoop post)
    : store_(store),
      clock_(clock),
      post_(std::move(post)),
      logins_by_address_(clock, kLoginBurstPerAddress, kLoginIntervalPerAddress),
      logins_by_user_(clock, kLoginBurstPerUser, kLoginIntervalPerUser),
      password_checks_(kPasswordThreads) {}

void Auth::Login(const std::string& name, const std::string& password, const std::string& address,
                 std::function<void(LoginResult)> done) {
  if (Millis wait = logins_by_address_.Take(address)) {
    return done(
        {Fail(ErrorCode::kUnauthorized, "too many sign-in attempts from this address"), wait});
  }
  if (Millis wait = logins_by_user_.Take(name)) {
    logins_by_address_.Refund(address);
    return done({Fail(ErrorCode::kUnauthorized, "too many sign-in attempts for this user"), wait});
  }
  auto user = store_.FindUser(name);
  if (!user) return done({tl::unexpected(user.error())});
  if (!*user) return done({Fail(ErrorCode::kUnauthorized, "wrong user name or password")});
  auto check = [this, id = (*user)->id, hash = (*user)->password_hash, password, name, address,
                done]() mutable {
    bool ok = VerifyPassword(hash, password);
    post_([this, id, ok, name = std::move(name), address = std::move(address),
           done = std::move(done)] { FinishLogin(id, ok, name, address, done); });
  };
  if (!password_checks_.TrySubmit(std::move(check), kMaxWaitingPasswordChecks)) {
    logins_by_address_.Refund(address);
    logins_by_user_.Refund(name);
    done({Fail(ErrorCode::kUnavailable, "too many sign-ins in progress; try again shortly"), 1000});
  }
}

void Auth::FinishLogin(Id user_id, bool password_ok, const std::string& name,
                       const std::string& address, const std::function<void(LoginResult)>& done) {
  if (!password_ok) return done({Fail(ErrorCode::kUnauthorized, "wrong user name or password")});
  logins_by_address_.Refund(address);
  logins_by_user_.Refund(name);
  std::string token = NewToken("kks_");
  Millis now = clock_.Now();
  auto created =
      store_.CreateToken(user_id, "session", "", HashToken(token), now, now + kSessionLifetime);
  if (!created) return done({tl::unexpected(created.error())});
  done({token});
}

Status Auth::Logout(const std::string& token) {
  KR_ASSIGN(auto rec, store_.FindToken(HashToken(token)));
  if (!rec) return NotFound("session not found");
  return store_.DeleteToken(rec->id, rec->user_id);
}

Result<Principal> Auth::Authenticate(const std::string& token) {
  if (token.empty()) return Fail(ErrorCode::kUnauthorized, "authentication required");
  KR_ASSIGN(auto rec, store_.FindToken(HashToken(token)));
  if (!rec || (rec->expires && rec->expires < clock_.Now()))
    return Fail(ErrorCode::kUnauthorized, "invalid or expired token");
  KR_ASSIGN(auto user, store_.GetUser(rec->user_id));
  return Principal{std::move(user), rec->kind};
}

Result<NewApiToken> Auth::CreateApiToken(Id user_id, const std::string& name) {
  if (name.empty()) return Invalid("name", "a token needs a name");
  std::string token = NewToken("kkt_");
  KR_ASSIGN(Id id, store_.CreateToken(user_id, "api", name, HashToken(token), clock_.Now(), 0));
  return NewApiToken{id, name, token};
}

}  // namespace kraken::auth
