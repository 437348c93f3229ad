// Users and tokens.
#include "store/store.h"

namespace kraken::store {
namespace {

constexpr const char* kUserCols = "id, name, password_hash, is_admin, created";

User UserOf(const Row& r) { return User{r.Int(0), r.Text(1), r.Text(2), r.Int(3) != 0, r.Int(4)}; }

TokenRecord TokenOf(const Row& r) {
  return TokenRecord{r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5)};
}

}  // namespace

Result<User> Store::CreateUser(const std::string& name, const std::string& hash, bool admin) {
  User u{0, name, hash, admin, RealClock::Instance().Now()};
  KR_ASSIGN(u.id, Insert("INSERT INTO users (name, password_hash, is_admin, created) "
                         "VALUES (?, ?, ?, ?) RETURNING id",
                         {name, hash, int64_t{admin}, u.created}));
  return u;
}

Result<std::optional<User>> Store::FindUser(const std::string& name) {
  KR_ASSIGN(auto r, Q(std::string("SELECT ") + kUserCols + " FROM users WHERE name = ?", {name}));
  if (r.rows.empty()) return std::optional<User>();
  return std::optional<User>(UserOf(r.rows[0]));
}

Result<User> Store::GetUser(Id id) {
  KR_ASSIGN(auto r, Q(std::string("SELECT ") + kUserCols + " FROM users WHERE id = ?", {id}));
  if (r.rows.empty()) return NotFound("user " + std::to_string(id) + " not found");
  return UserOf(r.rows[0]);
}

Result<int64_t> Store::CountUsers() {
  KR_ASSIGN(auto r, Q("SELECT COUNT(*) FROM users"));
  return r.rows[0].Int(0);
}

Result<Id> Store::CreateToken(Id user_id, const std::string& kind, const std::string& name,
                              const std::string& token_hash, Millis created, Millis expires) {
  return Insert(
      "INSERT INTO tokens (user_id, kind, name, token_hash, created, expires) "
      "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
      {user_id, kind, name, token_hash, created, expires});
}

Result<std::optional<TokenRecord>> Store::FindToken(const std::string& token_hash) {
  KR_ASSIGN(auto r, Q("SELECT id, user_id, kind, name, created, expires FROM tokens "
                      "WHERE token_hash = ?",
                      {token_hash}));
  if (r.rows.empty()) return std::optional<TokenRecord>();
  return std::optional<TokenRecord>(TokenOf(r.rows[0]));
}

Result<std::vector<TokenRecord>> Store::ListTokens(Id user_id, const std::string& kind) {
  KR_ASSIGN(auto r, Q("SELECT id, user_id, kind, name, created, expires FROM tokens "
                      "WHERE user_id = ? AND kind = ? ORDER BY id",
                      {user_id, kind}));
  std::vector<TokenRecord> out;
  for (const Row& row : r.rows) out.push_back(TokenOf(row));
  return out;
}

Status Store::DeleteToken(Id id, Id user_id) {
  KR_ASSIGN(auto r, Q("DELETE FROM tokens WHERE id = ? AND user_id = ?", {id, user_id}));
  if (r.affected == 0) return NotFound("token " + std::to_string(id) + " not found");
  return {};
}

}  // namespace kraken::store
