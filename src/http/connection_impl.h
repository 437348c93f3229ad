// Internal to the http module: the Connection class that serves one HTTP/1.1 connection,
// shared by connection.cc (reading requests, plain answers, parking, TLS and closing) and
// connection_handlers.cc (deferred and streamed answers). Beast stays inside these files.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http/connection.h"
#include "http/router.h"
#include "http/server_stream.h"

namespace kraken::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;

// GCC 12 miscompiles `co_await` inside an if condition (the coroutine dies on an illegal
// instruction), so results of awaited calls are always stored in a variable first.

inline constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// How long one write may take before the client counts as gone.
inline constexpr std::chrono::seconds kWriteTimeout{30};

class Connection {
 public:
  Connection(std::shared_ptr<ServerShared> shared, asio::ip::tcp::socket socket);
  ~Connection();

  // Serves requests until the connection ends; `self` keeps this object alive meanwhile.
  asio::awaitable<void> Serve(std::shared_ptr<Connection> self);
  void Close();
  // Closes the connection to make room for a new one (EvictLongestWaiting).
  void Evict();
  // Ends the current Park().
  void Wake() { wake_.cancel(); }

 private:
  // Reads one request and finds its route (nullptr with `route_status` 404 or 405 when
  // there is none). The header and the body each have a total deadline, and the body is read
  // only once the route's limit and, for a large body, its credentials allow it. Returns
  // nullopt when the connection must end (after answering an unreadable request itself).
  asio::awaitable<std::optional<Request>> ReadRequest(bool& keep_alive, unsigned& version,
                                                      const Router::Route*& route,
                                                      int& route_status);
  // Answers a refused request and closes the connection.
  asio::awaitable<void> Refuse(int status, std::string_view code, std::string_view message,
                               unsigned version);
  asio::awaitable<void> Refuse(Response response, unsigned version);
  // Answers a request that could not be read, when it is worth an answer.
  asio::awaitable<void> RefuseUnreadable(error_code ec, size_t body_limit, unsigned version);
  asio::awaitable<bool> Write(Response response, bool keep_alive, unsigned version);
  // Calls response.render on a worker thread and puts what it made in the body.
  asio::awaitable<void> Render(Response& response);
  // Runs ServerOptions::prepare_body on the request on a worker thread; resumes on the loop.
  asio::awaitable<void> PrepareBody(Request& request);
  asio::awaitable<bool> ServeDeferred(const DeferredHandler& handler, Request& request,
                                      bool keep_alive, unsigned version);
  asio::awaitable<bool> ServeStream(const StreamHandler& handler, Request& request,
                                    bool& keep_alive, unsigned version);
  // Waits for Wake() while watching the socket. Returns false when the client hung up.
  asio::awaitable<bool> Park();
  // The TLS handshake, on TLS connections. Returns false when the connection must end.
  asio::awaitable<bool> Handshake();
  asio::awaitable<void> Shutdown(bool drain);

  std::shared_ptr<ServerShared> shared_;
  ServerStream stream_;
  beast::flat_buffer buffer_;
  asio::steady_timer wake_;
  std::string remote_address_;
  // Set while waiting for a request; the key of this connection in ServerShared::waiting.
  std::optional<std::chrono::steady_clock::time_point> waiting_since_;
  bool evicted_ = false;
  void BeginWaiting();
  void EndWaiting();
};

// Runs `fn` when leaving a scope, including when the coroutine frame is destroyed.
template <typename F>
class OnExit {
 public:
  explicit OnExit(F fn) : fn_(std::move(fn)) {}
  ~OnExit() { fn_(); }
  OnExit(const OnExit&) = delete;
  OnExit& operator=(const OnExit&) = delete;

 private:
  F fn_;
};

// The 500 answer for a handler that threw, logged with the request.
Response InternalError(const Request& request, const char* what);

}  // namespace kraken::http
