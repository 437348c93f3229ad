// Hashing, HMAC, hex and base64 on byte strings, as SigV4 and EC2 user data need them.
// Thin wrappers over OpenSSL's libcrypto; pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace kraken::aws {

// Raw 32-byte SHA-256 digest.
std::string Sha256(std::string_view data);

// Lowercase hex of the SHA-256 digest, the form SigV4 uses for payload hashes.
std::string Sha256Hex(std::string_view data);

// Raw 32-byte HMAC-SHA256 of data under key.
std::string HmacSha256(std::string_view key, std::string_view data);

std::string HexEncode(std::string_view bytes);

// Standard base64 with padding (RFC 4648 section 4), as EC2 expects for UserData.
std::string Base64Encode(std::string_view bytes);

// Compares in time that depends only on the lengths, so a signature check does not leak
// how many leading bytes matched.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace kraken::aws
