// Internal to the http module: the byte stream of one server connection, plain TCP or TLS
// over TCP, chosen at accept time. It has the interface Beast's HTTP reads and writes need
// (an async stream) plus the timeout and socket calls of beast::tcp_stream, so the
// connection code is the same for both; only the handshake and the closing differ.
// Loop thread only.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <optional>

namespace kraken::http {

class ServerStream {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;

  // With a TLS context the connection speaks TLS once Handshake() succeeded.
  ServerStream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls) {
    if (tls != nullptr) {
      tls_.emplace(std::move(socket), *tls);
    } else {
      plain_.emplace(std::move(socket));
    }
  }

  bool tls() const { return tls_.has_value(); }
  boost::beast::tcp_stream& tcp() { return tls_ ? boost::beast::get_lowest_layer(*tls_) : *plain_; }
  boost::asio::ip::tcp::socket& socket() { return tcp().socket(); }
  executor_type get_executor() { return tcp().get_executor(); }
  template <typename Duration>
  void expires_after(Duration d) {
    tcp().expires_after(d);
  }
  template <typename TimePoint>
  void expires_at(TimePoint t) {
    tcp().expires_at(t);
  }
  void expires_never() { tcp().expires_never(); }
  void close() { tcp().close(); }

  // The TLS server handshake; a no-op on plain connections.
  template <typename Token>
  auto async_handshake(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) {
          if (tls_) {
            tls_->async_handshake(boost::asio::ssl::stream_base::server, std::move(handler));
          } else {
            boost::asio::post(get_executor(), [h = std::move(handler)]() mutable {
              std::move(h)(boost::system::error_code());
            });
          }
        },
        token);
  }

  // Sends TLS close_notify and waits for the peer's; a no-op on plain connections.
  template <typename Token>
  auto async_shutdown(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) {
          if (tls_) {
            tls_->async_shutdown(std::move(handler));
          } else {
            boost::asio::post(get_executor(), [h = std::move(handler)]() mutable {
              std::move(h)(boost::system::error_code());
            });
          }
        },
        token);
  }

  template <typename Buffers, typename Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const Buffers& buffers) {
          if (tls_) {
            tls_->async_read_some(buffers, std::move(handler));
          } else {
            plain_->async_read_some(buffers, std::move(handler));
          }
        },
        token, buffers);
  }

  template <typename Buffers, typename Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const Buffers& buffers) {
          if (tls_) {
            tls_->async_write_some(buffers, std::move(handler));
          } else {
            plain_->async_write_some(buffers, std::move(handler));
          }
        },
        token, buffers);
  }

 private:
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_;
};

}  // namespace kraken::http
