// Self-signed server certificates and certificate fingerprints, with OpenSSL.
//
// `kraken up` creates a certificate this way when it serves beyond loopback, and agents pin
// it by its fingerprint: the SHA-256 of the certificate's DER encoding, the value
// `openssl x509 -noout -fingerprint -sha256 -in cert.pem` prints. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"

namespace kraken::http {

// Writes a new P-256 key (mode 0600) and a self-signed certificate for `names` (host names
// or IP addresses, the first one also its common name), valid for `days` from now.
Status WriteSelfSignedCertificate(const std::string& cert_file, const std::string& key_file,
                                  const std::vector<std::string>& names, int days = 3650);

struct CertificateInfo {
  std::string fingerprint;   // SHA-256, 64 lower-case hex digits
  bool self_signed = false;  // signed by its own key: only pinning can trust it
};

// What the first certificate of a PEM file is.
Result<CertificateInfo> ReadCertificateInfo(const std::string& cert_file);

// A fingerprint the way `openssl x509 -fingerprint` shows it: "AB:CD:...".
std::string DisplayFingerprint(const std::string& fingerprint);

// A fingerprint as 64 lower-case hex digits, from hex with or without colons and an
// optional "sha256:" prefix; an Error saying what is wrong otherwise.
Result<std::string> NormalizeFingerprint(const std::string& fingerprint);

}  // namespace kraken::http
