// Password hashing (argon2id) and random tokens, over libsodium. Thread-safe.
#pragma once

#include <string>

#include "core/error.h"

namespace kraken::auth {

// Must be called once before any other function here (idempotent).
Status InitCrypto();

// argon2id in libsodium's self-describing string form.
Result<std::string> HashPassword(const std::string& password);
bool VerifyPassword(const std::string& hash, const std::string& password);

// A random secret for a person or an agent to hold: `prefix` + 64 hex characters.
std::string NewToken(const std::string& prefix);
// The form a token is stored in: hex SHA-256. Tokens are long random values, so a fast
// hash suffices (unlike passwords).
std::string HashToken(const std::string& token);
// A printable random password for the first admin.
std::string NewPassword();

}  // namespace kraken::auth
