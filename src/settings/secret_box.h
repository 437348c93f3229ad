// Seals secrets (cloud keys) with the server's own key before they are stored, so a copy
// of the database alone gives nothing away. libsodium's crypto_secretbox (XSalsa20-Poly1305)
// with a random nonce per seal; the 32-byte key is made at first start and kept in a file of
// the data directory (mode 0600), apart from the database and its backups.
//
// Immutable after construction: thread-safe.
#pragma once

#include <string>

#include "core/error.h"

namespace kraken::settings {

class SecretBox {
 public:
  // Reads the key file, or creates it (0600) with a fresh random key when absent.
  static Result<SecretBox> LoadOrCreate(const std::string& key_path);
  static SecretBox FromKey(std::string key);  // 32 bytes (tests)

  // "v1:" + base64(nonce || ciphertext). An empty secret seals to "".
  std::string Seal(const std::string& plain) const;
  // Fails (kInternal) when the text was not sealed with this key or was altered.
  Result<std::string> Open(const std::string& sealed) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

// "AKIA…MPLE": enough to recognise a key in a log, not to use it.
std::string Mask(const std::string& secret);

// Standard base64 with padding (libsodium's).
std::string ToBase64(const std::string& bytes);

}  // namespace kraken::settings
