// Internal to the http module: the server's TLS settings (certificate, key, protocol
// versions) loaded once at start into the context every HTTPS connection shares.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "core/error.h"

namespace kraken::http {

// TLS 1.2 and 1.3 only. Fails with a message naming the file that cannot be used, or when
// the key does not belong to the certificate.
Result<std::unique_ptr<boost::asio::ssl::context>> LoadServerTlsContext(
    const std::string& cert_file, const std::string& key_file);

}  // namespace kraken::http
