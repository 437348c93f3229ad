// People's identity for the API: the first admin, logins that open UI sessions, and named
// API tokens for scripts. Every token is stored only as its hash.
//
// Not thread-safe: used on the server's event loop, like the Store it wraps.
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"
#include "store/store.h"

namespace kraken::auth {

struct Principal {
  User user;
  std::string token_kind;  // "session" or "api"
};

struct NewApiToken {
  Id id = 0;
  std::string name;
  std::string token;  // shown once
};

class Auth {
 public:
  Auth(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Creates user `admin` when there are no users yet. Uses `password` when given, else
  // generates one. Returns the password when it created the user, nullopt otherwise.
  Result<std::optional<std::string>> EnsureAdmin(const std::string& password);

  // Checks the password and opens a session; returns the session token.
  Result<std::string> Login(const std::string& name, const std::string& password);
  Status Logout(const std::string& token);

  // Resolves a bearer token or session cookie value.
  Result<Principal> Authenticate(const std::string& token);

  Result<NewApiToken> CreateApiToken(Id user_id, const std::string& name);

  static constexpr Millis kSessionLifetime = 14LL * 24 * 3600 * 1000;

 private:
  store::Store& store_;
  const Clock& clock_;
};

}  // namespace kraken::auth
