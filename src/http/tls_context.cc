#include "http/tls_context.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace kraken::http {

namespace ssl = boost::asio::ssl;

Result<std::unique_ptr<ssl::context>> LoadServerTlsContext(const std::string& cert_file,
                                                           const std::string& key_file) {
  if (cert_file.empty() || key_file.empty()) {
    return Invalid("tls", "HTTPS needs both a certificate (--tls-cert) and its key (--tls-key)");
  }
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  // The key first: loading a certificate drops a key that does not match it, so that the
  // check below can say so, where the other order fails on the key with a terse message.
  boost::system::error_code ec;
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    return Invalid("tls-key",
                   fmt::format("cannot load the TLS key {}: {}", key_file, ec.message()));
  }
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return Invalid("tls-cert",
                   fmt::format("cannot load the TLS certificate {}: {}", cert_file, ec.message()));
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    ERR_clear_error();
    return Invalid("tls-key", fmt::format("the TLS key {} does not belong to the certificate {}",
                                          key_file, cert_file));
  }
  return context;
}

}  // namespace kraken::http
