// The HTTPS set-up of `kraken up` when it listens beyond loopback: a self-signed
// certificate kept in <data-dir>/tls (made once, the key mode 0600), which the command-line
// client and the local agents pin by its SHA-256 fingerprint. On loopback `kraken up` keeps
// plain HTTP: nothing there crosses a network, and browsers and tests need no exception.
#pragma once

#include <string>

#include "core/error.h"

namespace kraken::cli {

struct UpTls {
  std::string cert_file;
  std::string key_file;
  std::string fingerprint;  // SHA-256, 64 lower-case hex digits
};

// Loads the data dir's certificate, or makes one for this host's names and `address`.
Result<UpTls> PrepareUpTls(const std::string& data_dir, const std::string& address);

}  // namespace kraken::cli
