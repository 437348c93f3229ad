// The listening side of the server: binds, accepts, and hands each socket to a Connection.
#include "http/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/connection.h"
#include "http/tls_context.h"

namespace kraken::http {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

struct Listener {
  explicit Listener(asio::io_context& io) : acceptor(io) {}
  asio::ip::tcp::acceptor acceptor;
  std::shared_ptr<ServerShared> shared;
};

asio::awaitable<void> AcceptLoop(std::shared_ptr<Listener> listener) {
  while (!listener->shared->stopped) {
    auto [ec, socket] =
        co_await listener->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (listener->shared->stopped || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Typically out of file descriptors: back off instead of spinning on the error.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer pause(listener->acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    ServeConnection(listener->shared, std::move(socket));
  }
}

}  // namespace

struct Server::Impl {
  asio::io_context& io;
  std::shared_ptr<ServerShared> shared = std::make_shared<ServerShared>();
  std::shared_ptr<Listener> listener;
  uint16_t port = 0;
};

Server::Server(Loop& loop, Router& router, ServerOptions options)
    : impl_(new Impl{*static_cast<asio::io_context*>(loop.native())}) {
  impl_->shared->router = &router;
  impl_->shared->options = std::move(options);
}

Server::~Server() { Stop(); }

Status Server::Start() {
  if (impl_->listener) return Conflict("the server is already started");
  const ServerOptions& options = impl_->shared->options;
  error_code ec;
  auto address = asio::ip::make_address(options.address, ec);
  if (ec) {
    return Invalid("address", fmt::format("'{}' is not an IP address", options.address));
  }
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    auto tls = LoadServerTlsContext(options.tls_cert_file, options.tls_key_file);
    if (!tls) return tl::unexpected(tls.error());
    impl_->shared->tls = std::move(*tls);
  }
  asio::ip::tcp::endpoint endpoint(address, options.port);
  auto listener = std::make_shared<Listener>(impl_->io);
  listener->shared = impl_->shared;
  auto& acceptor = listener->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Fail(
        ErrorCode::kUnavailable,
        fmt::format("cannot listen on {}:{}: {}", options.address, options.port, ec.message()),
        "port");
  }
  impl_->port = acceptor.local_endpoint(ec).port();
  impl_->listener = listener;
  asio::co_spawn(impl_->io, AcceptLoop(std::move(listener)), [](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("the HTTP accept loop failed: {}", e.what());
    }
  });
  return {};
}

uint16_t Server::port() const { return impl_->port; }

bool IsLoopbackAddress(const std::string& address) {
  if (address == "localhost") return true;
  error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (ec) return false;
  if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
    ip = asio::ip::make_address_v4(asio::ip::v4_mapped, ip.to_v6());
  }
  return ip.is_loopback();
}

void Server::Stop() {
  impl_->shared->stopped = true;
  if (impl_->listener) {
    error_code ec;
    impl_->listener->acceptor.close(ec);
  }
  // Closing removes nothing from the set: connections unregister when their coroutine ends.
  for (Connection* connection : impl_->shared->connections) CloseConnection(connection);
}

}  // namespace kraken::http
