// People's identity for the API: the first admin, logins that open UI sessions, and named
// API tokens for scripts. Every token is stored only as its hash.
//
// Not thread-safe: used on the server's event loop, like the Store it wraps. Passwords are
// checked (argon2id, tens of milliseconds each) on a small pool of threads of its own, and
// sign-ins are rate-limited per client address and per user, so that a burst of them holds
// up neither the loop nor other requests.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/rate_limiter.h"
#include "core/worker_pool.h"
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

// The outcome of a sign-in: a session token, or why not.
struct LoginResult {
  Result<std::string> token;
  Millis retry_after = 0;  // > 0: too many attempts; the next may succeed after this long
};

class Auth {
 public:
  // Runs `fn` on the loop that owns this Auth; callable from any thread.
  using PostToLoop = std::function<void(std::function<void()>)>;

  Auth(store::Store& store, const Clock& clock, PostToLoop post);

  // Creates user `admin` when there are no users yet. Uses `password` when given, else
  // generates one. Returns the password when it created the user, nullopt otherwise.
  Result<std::optional<std::string>> EnsureAdmin(const std::string& password);

  // Checks the password off the loop and opens a session; `done` gets the session token on
  // the loop. Each attempt counts against `address` and the user; one that succeeds is given
  // back, so only wrong passwords use up the allowance.
  void Login(const std::string& name, const std::string& password, const std::string& address,
             std::function<void(LoginResult)> done);
  Status Logout(const std::string& token);

  // Resolves a bearer token or session cookie value.
  Result<Principal> Authenticate(const std::string& token);

  Result<NewApiToken> CreateApiToken(Id user_id, const std::string& name);

  static constexpr Millis kSessionLifetime = 14LL * 24 * 3600 * 1000;
  // Sign-in attempts: a burst of this many, then one per interval, per address and per user.
  static constexpr int kLoginBurstPerAddress = 10;
  static constexpr Millis kLoginIntervalPerAddress = 6'000;
  static constexpr int kLoginBurstPerUser = 20;
  static constexpr Millis kLoginIntervalPerUser = 3'000;
  // Threads checking passwords (each argon2id check takes 64 MiB), and checks that may wait
  // for one; beyond that a sign-in is answered "try again" at once.
  static constexpr int kPasswordThreads = 2;
  static constexpr size_t kMaxWaitingPasswordChecks = 32;

 private:
  void FinishLogin(Id user_id, bool password_ok, const std::string& name,
                   const std::string& address, const std::function<void(LoginResult)>& done);

  store::Store& store_;
  const Clock& clock_;
  PostToLoop post_;
  RateLimiter logins_by_address_;
  RateLimiter logins_by_user_;
  WorkerPool password_checks_;  // last: joined first on destruction
};

}  // namespace kraken::auth
