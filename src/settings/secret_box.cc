#include "settings/secret_box.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace kraken::settings {
std::string ToBase64(const std::string& bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

namespace {

constexpr std::string_view kPrefix = "v1:";

bool FromBase64(std::string_view text, std::string& out) {
  out.assign(text.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return false;
  out.resize(length);
  return true;
}

}  // namespace

Result<SecretBox> SecretBox::LoadOrCreate(const std::string& key_path) {
  if (sodium_init() < 0) return Fail(ErrorCode::kInternal, "libsodium failed to initialise");
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  int fd = open(key_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st {};
    fstat(fd, &st);
    ssize_t n = read(fd, key.data(), key.size());
    close(fd);
    if (n != static_cast<ssize_t>(key.size()) || st.st_size != static_cast<off_t>(key.size()))
      return Fail(ErrorCode::kInternal, key_path + " is not a 32-byte server key");
    if (st.st_mode & 077)
      return Fail(ErrorCode::kInternal,
                  key_path + " must be readable by its owner only (chmod 600)");
    return SecretBox(std::move(key));
  }
  if (errno != ENOENT)
    return Fail(ErrorCode::kInternal, "cannot read " + key_path + ": " + std::strerror(errno));
  randombytes_buf(key.data(), key.size());
  // O_EXCL: two servers starting on one data dir cannot both write a key.
  fd = open(key_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return LoadOrCreate(key_path);
    return Fail(ErrorCode::kInternal, "cannot create " + key_path + ": " + std::strerror(errno));
  }
  bool ok = write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok) return Fail(ErrorCode::kInternal, "cannot write " + key_path);
  return SecretBox(std::move(key));
}

SecretBox SecretBox::FromKey(std::string key) {
  if (sodium_init() < 0) std::abort();  // as LoadOrCreate: libsodium cannot work
  key.resize(crypto_secretbox_KEYBYTES, '\0');
  return SecretBox(std::move(key));
}

std::string SecretBox::Seal(const std::string& plain) const {
  if (plain.empty()) return {};
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), nonce,
                        reinterpret_cast<const unsigned char*>(key_.data()));
  return std::string(kPrefix) + ToBase64(box);
}

Result<std::string> SecretBox::Open(const std::string& sealed) const {
  if (sealed.empty()) return std::string();
  std::string box;
  if (!sealed.starts_with(kPrefix) ||
      !FromBase64(std::string_view(sealed).substr(kPrefix.size()), box) ||
      box.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return Fail(ErrorCode::kInternal, "a stored secret is not in the sealed format");
  const auto* nonce = reinterpret_cast<const unsigned char*>(box.data());
  const size_t cipher_size = box.size() - crypto_secretbox_NONCEBYTES;
  std::string plain(cipher_size - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 nonce + crypto_secretbox_NONCEBYTES, cipher_size, nonce,
                                 reinterpret_cast<const unsigned char*>(key_.data())) != 0)
    return Fail(ErrorCode::kInternal,
                "a stored secret does not open with this server's key (was server.key replaced?)");
  return plain;
}

std::string Mask(const std::string& secret) {
  if (secret.size() <= 8) return std::string(secret.empty() ? 0 : 4, '*');
  return secret.substr(0, 4) + "…" + secret.substr(secret.size() - 4);
}

}  // namespace kraken::settings
