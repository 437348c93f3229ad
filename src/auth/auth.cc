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

Result<std::string> Auth::Login(const std::string& name, const std::string& password) {
  KR_ASSIGN(auto user, store_.FindUser(name));
  if (!user || !VerifyPassword(user->password_hash, password))
    return Fail(ErrorCode::kUnauthorized, "wrong user name or password");
  std::string token = NewToken("kks_");
  Millis now = clock_.Now();
  KR_TRY(store_.CreateToken(user->id, "session", "", HashToken(token), now,
                            now + kSessionLifetime));
  return token;
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
