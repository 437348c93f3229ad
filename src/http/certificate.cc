#include "http/certificate.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>

namespace kraken::http {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

std::string SubjectAltNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    boost::system::error_code ec;
    boost::asio::ip::make_address(name, ec);
    if (!out.empty()) out += ",";
    out += (ec ? "DNS:" : "IP:") + name;
  }
  return out;
}

bool AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Opens `path` for writing with `mode` from the start, so a key is never readable by others.
FilePtr CreateFile(const std::string& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return nullptr;
  ::fchmod(fd, mode);
  FILE* file = ::fdopen(fd, "w");
  if (file == nullptr) ::close(fd);
  return FilePtr(file);
}

}  // namespace

Status WriteSelfSignedCertificate(const std::string& cert_file, const std::string& key_file,
                                  const std::vector<std::string>& names, int days) {
  if (names.empty()) return Invalid("names", "a certificate needs at least one name");
  KeyPtr key(EVP_EC_gen("P-256"));
  CertPtr cert(X509_new());
  if (!key || !cert) return Fail(ErrorCode::kInternal, "OpenSSL cannot create a key");
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // a positive serial number
  std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> bn(BN_bin2bn(serial, sizeof serial, nullptr));
  bool ok =
      X509_set_version(cert.get(), 2) == 1 &&
      BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) != nullptr &&
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60) != nullptr &&
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), int64_t{days} * 24 * 60 * 60) != nullptr &&
      X509_set_pubkey(cert.get(), key.get()) == 1;
  X509_NAME* subject = X509_get_subject_name(cert.get());
  ok = ok &&
       X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>("Kraken"), -1, -1,
                                  0) == 1 &&
       X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(names[0].c_str()), -1, -1,
                                  0) == 1 &&
       X509_set_issuer_name(cert.get(), subject) == 1 &&
       AddExtension(cert.get(), NID_subject_alt_name, SubjectAltNames(names)) &&
       AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
       AddExtension(cert.get(), NID_ext_key_usage, "serverAuth") &&
       X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) return Fail(ErrorCode::kInternal, "OpenSSL cannot build the certificate");

  // Written beside the targets and renamed, so a crash never leaves half a pair.
  const std::string key_tmp = key_file + ".tmp", cert_tmp = cert_file + ".tmp";
  {
    FilePtr out = CreateFile(key_tmp, 0600);
    if (!out ||
        PEM_write_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
      return Fail(ErrorCode::kInternal, "cannot write the TLS key " + key_tmp);
    }
  }
  {
    FilePtr out = CreateFile(cert_tmp, 0644);
    if (!out || PEM_write_X509(out.get(), cert.get()) != 1) {
      return Fail(ErrorCode::kInternal, "cannot write the TLS certificate " + cert_tmp);
    }
  }
  std::error_code ec;
  std::filesystem::rename(key_tmp, key_file, ec);
  if (!ec) std::filesystem::rename(cert_tmp, cert_file, ec);
  if (ec) return Fail(ErrorCode::kInternal, "cannot write " + cert_file + ": " + ec.message());
  return {};
}

Result<CertificateInfo> ReadCertificateInfo(const std::string& cert_file) {
  FilePtr in(std::fopen(cert_file.c_str(), "r"));
  if (!in) return Invalid("certificate", "cannot read the certificate " + cert_file);
  CertPtr cert(PEM_read_X509(in.get(), nullptr, nullptr, nullptr));
  if (!cert) return Invalid("certificate", cert_file + " holds no PEM certificate");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert.get(), EVP_sha256(), digest, &size) != 1) {
    return Fail(ErrorCode::kInternal, "OpenSSL cannot hash the certificate");
  }
  CertificateInfo info;
  for (unsigned int i = 0; i < size; ++i) info.fingerprint += fmt::format("{:02x}", digest[i]);
  info.self_signed = X509_check_issued(cert.get(), cert.get()) == X509_V_OK;
  return info;
}

std::string DisplayFingerprint(const std::string& fingerprint) {
  std::string out;
  for (size_t i = 0; i < fingerprint.size(); ++i) {
    if (i > 0 && i % 2 == 0) out += ':';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(fingerprint[i])));
  }
  return out;
}

Result<std::string> NormalizeFingerprint(const std::string& fingerprint) {
  std::string_view text = fingerprint;
  if (text.starts_with("sha256:") || text.starts_with("SHA256:")) text.remove_prefix(7);
  std::string hex;
  for (char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Invalid("fingerprint", "a SHA-256 fingerprint is hex digits, optionally with colons");
    }
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 64) {
    return Invalid("fingerprint",
                   fmt::format("a SHA-256 fingerprint has 64 hex digits, not {}", hex.size()));
  }
  return hex;
}

}  // namespace kraken::http
