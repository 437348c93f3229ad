// The listening side of the server: binds, accepts, and hands each socket to a Connection.
#include "http/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/connection.h"
#include "http/error_response.h"
#include "http/tls_context.h"

namespace kraken::http {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// Descriptors kept free under the process limit for files, the database, log pipes and
// child processes: the connection cap is lowered to leave them (a quarter of a small limit).
constexpr size_t kReservedDescriptors = 1024;

// Raises the soft limit on open files to the hard limit and returns how many of `wanted`
// connections fit under it.
size_t ConnectionsThatFit(size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY) return wanted;
  size_t available = static_cast<size_t>(limit.rlim_cur);
  return std::min(wanted, available - std::min(kReservedDescriptors, available / 4));
}

// Answers a connection over a cap with 503 and closes it at once: no coroutine, timer or
// buffer, so a flood of them costs no more than their accepts.
void TurnAway(asio::ip::tcp::socket& socket, std::string_view why) {
  error_code ec;
  socket.non_blocking(true, ec);
  // Taking in what the client already sent lets the close end with a FIN rather than a
  // reset, which could discard the answer before the client reads it.
  char sink[4096];
  socket.read_some(asio::buffer(sink), ec);
  Response response = ErrorResponse(503, "unavailable", why);
  std::string raw = fmt::format(
      "HTTP/1.1 503 Service Unavailable\r\nServer: kraken\r\nContent-Type: {}\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
      response.content_type, response.body.size(), response.body);
  socket.write_some(asio::buffer(raw), ec);
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  socket.close(ec);
}

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
    ServerShared& shared = *listener->shared;
    auto count = shared.per_address.find(RemoteAddress(socket));
    if (count != shared.per_address.end() &&
        count->second >= shared.options.max_connections_per_address) {
      TurnAway(socket, "too many connections from this address; try again shortly");
      continue;
    }
    if (LiveConnections(shared) >= shared.max_connections && !EvictLongestWaiting(shared)) {
      TurnAway(socket, "the server has too many connections; try again shortly");
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
  if (!impl_->shared->prepare_pool) {
    impl_->shared->prepare_pool =
        std::make_unique<asio::thread_pool>(std::max(1, options.prepare_threads));
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
  impl_->shared->max_connections = ConnectionsThatFit(options.max_connections);
  if (impl_->shared->max_connections < options.max_connections) {
    spdlog::warn("serving at most {} connections at once, to stay under the open file limit",
                 impl_->shared->max_connections);
  }
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

size_t Server::connection_count() const { return LiveConnections(*impl_->shared); }

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
