#include "http/beast_client.h"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <vector>

namespace kraken::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Url {
  bool https = false;
  std::string host;  // without the brackets of an IPv6 address
  std::string port;
  std::string target;
  std::string host_header;

  std::string Key() const { return (https ? "https://" : "http://") + host + ":" + port; }
};

Result<Url> ParseUrl(const std::string& text) {
  Url url;
  std::string_view rest = text;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    url.https = true;
    rest.remove_prefix(8);
  } else {
    return Fail(ErrorCode::kInvalid, "not an http:// or https:// URL: " + text);
  }
  rest = rest.substr(0, rest.find('#'));
  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  url.target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (url.target.front() == '?') url.target.insert(0, "/");
  url.host_header = std::string(authority);
  std::string_view port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Fail(ErrorCode::kInvalid, "bad URL: " + text);
    url.host = std::string(authority.substr(1, close - 1));
    if (authority.substr(close + 1).starts_with(':')) port = authority.substr(close + 2);
  } else {
    size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  url.port = port.empty() ? (url.https ? "443" : "80") : std::string(port);
  if (url.host.empty()) return Fail(ErrorCode::kInvalid, "no host in URL: " + text);
  return url;
}

bool IsIpAddress(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::string Sha256Hex(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), digest, &size) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

TlsTrust& DefaultTlsTrust() {
  static TlsTrust trust;
  return trust;
}

// A connection the server closed while it was idle: the request may be sent again.
bool IsStale(const beast::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == bhttp::error::end_of_stream ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace

std::string SystemCaBundle() {
  for (const char* path : {"/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Alpine, Arch
                           "/etc/pki/tls/certs/ca-bundle.crt",    // RHEL, Fedora, Amazon Linux
                           "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
                           "/etc/ssl/ca-bundle.pem",  // SUSE
                           "/etc/ssl/cert.pem"}) {    // Alpine, BSDs
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return path;
  }
  return {};
}

struct BeastClient::Impl {
  asio::io_context ioc{1};
  tcp::resolver resolver{ioc};
  TlsTrust trust = DefaultTlsTrust();
  const std::atomic<bool>* abort_flag = nullptr;

  // The open connection, if any: to `open_key`, plain or over TLS.
  std::string open_key;
  std::unique_ptr<asio::ssl::context> tls_context;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  std::string refused_fingerprint;  // set when the pinned check refused a server

  enum class Interrupt { kNone, kTimedOut, kAborted };

  // Closes the socket: an operation in progress ends with operation_aborted.
  void CloseSocket() {
    beast::error_code ignored;
    if (plain) plain->socket().close(ignored);
    if (tls) beast::get_lowest_layer(*tls).socket().close(ignored);
    resolver.cancel();
  }

  void Drop() {
    CloseSocket();
    tls.reset();
    plain.reset();
    buffer.clear();
    open_key.clear();
  }

  // Runs the asynchronous operation that `start` begins with the handler it is given until
  // it completes, `deadline` passes or the abort flag turns true; in the last two cases the
  // socket is closed, which ends the operation, and the error says why.
  template <typename Start>
  beast::error_code Run(Start start, Clock::time_point deadline) {
    std::optional<beast::error_code> result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    Interrupt interrupt = Interrupt::kNone;
    while (!result) {
      ioc.run_one_for(std::chrono::milliseconds(100));
      if (result) break;
      if (interrupt == Interrupt::kNone) {
        if (abort_flag != nullptr && abort_flag->load())
          interrupt = Interrupt::kAborted;
        else if (Clock::now() >= deadline)
          interrupt = Interrupt::kTimedOut;
        if (interrupt != Interrupt::kNone) CloseSocket();
      }
      if (ioc.stopped()) ioc.restart();
    }
    if (interrupt == Interrupt::kTimedOut) return asio::error::timed_out;
    if (interrupt == Interrupt::kAborted) return asio::error::operation_aborted;
    return *result;
  }

  template <typename F>
  auto WithStream(F f) {
    return tls ? f(*tls) : f(*plain);
  }

  // Pinning replaces OpenSSL's chain check with a comparison of the server's own (leaf)
  // certificate against the pinned SHA-256; no host name check goes with it.
  static int CheckPin(X509_STORE_CTX* store, void* user) {
    auto* impl = static_cast<Impl*>(user);
    std::string presented = Sha256Hex(X509_STORE_CTX_get0_cert(store));
    if (!presented.empty() && presented == impl->trust.fingerprint) return 1;
    impl->refused_fingerprint = presented.empty() ? "none" : presented;
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }

  std::string TrustedBy() const {
    if (!trust.ca_file.empty()) return trust.ca_file;
    std::string bundle = SystemCaBundle();
    return bundle.empty() ? "the system's CA bundle (none on this machine: give --ca-file or "
                            "--tls-fingerprint)"
                          : "the system's CA bundle (" + bundle + ")";
  }

  Result<std::unique_ptr<asio::ssl::context>> MakeTlsContext() {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX* native = context->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
    if (!trust.fingerprint.empty()) {
      SSL_CTX_set_cert_verify_callback(native, CheckPin, this);
      return context;
    }
    std::string bundle = trust.ca_file.empty() ? SystemCaBundle() : trust.ca_file;
    beast::error_code ec;
    if (bundle.empty()) {
      context->set_default_verify_paths(ec);
    } else {
      context->load_verify_file(bundle, ec);
    }
    if (ec) {
      return Fail(ErrorCode::kForbidden,
                  fmt::format("cannot read the CA bundle {}: {}", bundle, ec.message()));
    }
    return context;
  }

  // A connection to `url`'s server, open and (over HTTPS) with its certificate checked.
  Status Connect(const Url& url, Clock::time_point deadline) {
    Drop();
    refused_fingerprint.clear();
    Clock::time_point connect_deadline =
        std::min(deadline, Clock::now() + std::chrono::seconds(10));
    // An address needs no lookup: asio resolves on a thread of its own, which a client that
    // lives for one job (the agent makes several per job) would start and join every time.
    std::vector<tcp::endpoint> endpoints;
    beast::error_code ec;
    const asio::ip::address address = asio::ip::make_address(url.host, ec);
    const int port = std::atoi(url.port.c_str());
    if (!ec && port > 0 && port < 65536) {
      endpoints.emplace_back(address, static_cast<unsigned short>(port));
    } else {
      ec = Run(
          [&](auto handler) {
            resolver.async_resolve(
                url.host, url.port,
                [&endpoints, handler](beast::error_code ec,
                                      tcp::resolver::results_type found) mutable {
                  for (const auto& entry : found) endpoints.push_back(entry.endpoint());
                  handler(ec);
                });
          },
          connect_deadline);
      if (ec)
        return Fail(ErrorCode::kUnavailable, "cannot resolve " + url.host + ": " + ec.message());
    }
    if (!url.https) {
      plain = std::make_unique<beast::tcp_stream>(ioc);
      ec = Run([&](auto handler) { plain->async_connect(endpoints, handler); }, connect_deadline);
      if (ec) return Fail(ErrorCode::kUnavailable, ec.message());
      plain->socket().set_option(tcp::no_delay(true), ec);
      open_key = url.Key();
      return {};
    }
    // One context (and one read of the CA bundle) for every connection of this client.
    if (!tls_context) {
      auto context = MakeTlsContext();
      if (!context) return tl::unexpected(context.error());
      tls_context = std::move(*context);
    }
    tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc, *tls_context);
    SSL* ssl = tls->native_handle();
    const bool is_ip = IsIpAddress(url.host);
    if (!is_ip) SSL_set_tlsext_host_name(ssl, url.host.c_str());
    if (trust.fingerprint.empty()) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      if (is_ip) {
        X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
      } else {
        X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
      }
    }
    auto& socket = beast::get_lowest_layer(*tls);
    ec = Run([&](auto handler) { socket.async_connect(endpoints, handler); }, connect_deadline);
    if (ec) return Fail(ErrorCode::kUnavailable, ec.message());
    socket.socket().set_option(tcp::no_delay(true), ec);
    ec = Run([&](auto handler) { tls->async_handshake(asio::ssl::stream_base::client, handler); },
             connect_deadline);
    if (!ec) {
      open_key = url.Key();
      return {};
    }
    if (!refused_fingerprint.empty()) {
      return Fail(ErrorCode::kForbidden,
                  fmt::format("the server's certificate has the SHA-256 fingerprint {}, not the "
                              "pinned {}",
                              refused_fingerprint, trust.fingerprint));
    }
    if (long verify = SSL_get_verify_result(ssl); verify != X509_V_OK) {
      return Fail(ErrorCode::kForbidden,
                  fmt::format("the server's certificate is not trusted by {}: {}", TrustedBy(),
                              X509_verify_cert_error_string(verify)));
    }
    return Fail(ErrorCode::kUnavailable, "TLS handshake failed: " + ec.message());
  }

  // Sends a request to `url` (on the open connection when it is to the same server) and
  // hands the body of the answer to `on_data` as it arrives. Returns the HTTP status.
  Result<int> Exchange(const std::string& method, const std::string& url_text,
                       const std::string& body, const std::vector<std::string>& headers,
                       std::chrono::milliseconds timeout,
                       const std::function<bool(std::string_view)>& on_data) {
    auto failed = [&](ErrorCode code, const std::string& why) {
      return Fail(code, fmt::format("{} {} {}: {}", method, url_text,
                                    code == ErrorCode::kForbidden ? "refused" : "failed", why));
    };
    auto url = ParseUrl(url_text);
    if (!url) return failed(ErrorCode::kInvalid, url.error().message);
    const Clock::time_point deadline = Clock::now() + timeout;
    bhttp::request<bhttp::string_body> request;
    request.method_string(method);
    request.target(url->target);
    request.version(11);
    request.set(bhttp::field::host, url->host_header);
    request.set(bhttp::field::user_agent, "kraken");
    for (const std::string& header : headers) {
      size_t colon = header.find(':');
      if (colon == std::string::npos) continue;
      std::string_view value = std::string_view(header).substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      if (!value.empty()) request.set(header.substr(0, colon), value);
    }
    request.body() = body;
    request.prepare_payload();

    for (int attempt = 0;; ++attempt) {
      const bool reused = (plain || tls) && open_key == url->Key();
      if (!reused) {
        if (auto connected = Connect(*url, deadline); !connected) {
          Drop();
          return failed(connected.error().code, connected.error().message);
        }
      }
      bhttp::response_parser<bhttp::buffer_body> parser;
      parser.body_limit(boost::none);
      if (method == "HEAD") parser.skip(true);
      beast::error_code ec = WithStream([&](auto& stream) {
        return Run([&](auto handler) { bhttp::async_write(stream, request, handler); }, deadline);
      });
      if (!ec) {
        ec = WithStream([&](auto& stream) {
          return Run(
              [&](auto handler) { bhttp::async_read_header(stream, buffer, parser, handler); },
              deadline);
        });
      }
      if (ec) {
        Drop();
        if (reused && attempt == 0 && IsStale(ec)) continue;
        return failed(ErrorCode::kUnavailable, Why(ec, timeout));
      }
      const int status = parser.get().result_int();
      char piece[16384];
      bool stopped = false;
      while (!parser.is_done()) {
        parser.get().body().data = piece;
        parser.get().body().size = sizeof piece;
        ec = WithStream([&](auto& stream) {
          return Run([&](auto handler) { bhttp::async_read_some(stream, buffer, parser, handler); },
                     deadline);
        });
        if (ec == bhttp::error::need_buffer) ec = {};
        if (ec) {
          Drop();
          return failed(ErrorCode::kUnavailable, Why(ec, timeout));
        }
        size_t size = sizeof piece - parser.get().body().size;
        if (size > 0 && !on_data(std::string_view(piece, size))) {
          stopped = true;
          break;
        }
      }
      if (stopped || !parser.keep_alive()) Drop();
      return status;
    }
  }

  static std::string Why(const beast::error_code& ec, std::chrono::milliseconds timeout) {
    if (ec == asio::error::timed_out) return fmt::format("timed out after {} ms", timeout.count());
    if (ec == asio::error::operation_aborted) return "aborted: the agent is stopping";
    return ec.message();
  }
};

BeastClient::BeastClient() : impl_(std::make_unique<Impl>()) {}

BeastClient::~BeastClient() { impl_->Drop(); }

void BeastClient::SetDefaultTlsTrust(TlsTrust trust) { DefaultTlsTrust() = std::move(trust); }

void BeastClient::set_tls_trust(TlsTrust trust) {
  impl_->Drop();
  impl_->tls_context.reset();
  impl_->trust = std::move(trust);
}

void BeastClient::set_abort_flag(const std::atomic<bool>* flag) { impl_->abort_flag = flag; }

Result<ClientResponse> BeastClient::Request(const std::string& method, const std::string& url,
                                            const std::string& body,
                                            const std::vector<std::string>& headers,
                                            std::chrono::milliseconds timeout) {
  ClientResponse response;
  auto status = impl_->Exchange(method, url, body, headers, timeout, [&](std::string_view data) {
    response.body.append(data);
    return true;
  });
  if (!status) return tl::unexpected(status.error());
  response.status = *status;
  return response;
}

Result<int> BeastClient::Stream(const std::string& url, const std::vector<std::string>& headers,
                                const std::function<bool(std::string_view)>& on_data,
                                std::chrono::milliseconds timeout) {
  return impl_->Exchange("GET", url, "", headers, timeout, on_data);
}

}  // namespace kraken::http
