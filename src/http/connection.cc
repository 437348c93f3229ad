// One HTTP/1.1 connection served by a C++20 coroutine on the loop: reading requests with
// their limits and deadlines, keep-alive, plain answers, parking, TLS and closing. Deferred
// and streamed answers are in connection_handlers.cc; the class in connection_impl.h.
#include "http/connection.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "http/connection_impl.h"
#include "http/error_response.h"
#include "http/responders.h"
#include "http/router.h"
#include "http/server_stream.h"
#include "http/target.h"

namespace kraken::http {

namespace bhttp = boost::beast::http;

namespace {

constexpr uint32_t kHeaderLimit = 32 * 1024;
// While parked, bytes a pipelining client sends are kept for the next request, up to this.
constexpr size_t kMaxPipelinedBytes = 16 * 1024;
constexpr size_t kPeekBytes = 512;
// The first read of a request, which ends the idle wait.
constexpr size_t kFirstReadBytes = 4096;
// After refusing a request we read (and drop) what the client is still sending, so that
// closing does not reset the connection before the client has read our answer.
constexpr size_t kMaxDrainBytes = 1 << 20;
constexpr std::chrono::seconds kDrainTimeout{2};
// How long a client may take over the TLS handshake, and over closing TLS.
constexpr std::chrono::seconds kTlsHandshakeTimeout{10};
constexpr std::chrono::seconds kTlsShutdownTimeout{2};

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Response InternalError(const Request& request, const char* what) {
  spdlog::error("handler for {} {} threw: {}", request.method, request.path, what);
  return ErrorResponse(500, "internal", "internal error while handling the request");
}

std::string RemoteAddress(const asio::ip::tcp::socket& socket) {
  error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return {};
  auto address = endpoint.address();
  // A dual-stack listener sees IPv4 clients as "::ffff:a.b.c.d"; report them as IPv4.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

Connection::Connection(std::shared_ptr<ServerShared> shared, asio::ip::tcp::socket socket)
    : shared_(std::move(shared)),
      stream_(std::move(socket), shared_->tls.get()),
      wake_(stream_.get_executor()) {
  remote_address_ = RemoteAddress(stream_.socket());
  // Live logs are many small writes: send each at once instead of waiting for an ACK.
  error_code ec;
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  shared_->connections.insert(this);
  ++shared_->per_address[remote_address_];
  BeginWaiting();  // a TLS handshake counts as waiting too
}

Connection::~Connection() {
  EndWaiting();
  if (evicted_) --shared_->evicted;
  shared_->connections.erase(this);
  auto it = shared_->per_address.find(remote_address_);
  if (it != shared_->per_address.end() && --it->second == 0) shared_->per_address.erase(it);
}

void Connection::Close() {
  stream_.close();
  Wake();
}

void Connection::Evict() {
  EndWaiting();
  if (!evicted_) {
    evicted_ = true;
    ++shared_->evicted;
  }
  Close();
}

void Connection::BeginWaiting() {
  if (waiting_since_ || evicted_) return;
  waiting_since_ = std::chrono::steady_clock::now();
  shared_->waiting.emplace(*waiting_since_, this);
}

void Connection::EndWaiting() {
  if (!waiting_since_) return;
  shared_->waiting.erase({*waiting_since_, this});
  waiting_since_.reset();
}

asio::awaitable<void> Connection::Serve(std::shared_ptr<Connection> self) {
  bool secured = co_await Handshake();
  if (!secured) co_return;
  while (!shared_->stopped) {
    bool keep_alive = false;
    unsigned version = 11;
    const Router::Route* route = nullptr;
    int status = 0;
    std::optional<Request> request = co_await ReadRequest(keep_alive, version, route, status);
    if (!request || shared_->stopped) co_return;

    const Router::Target* target = route ? &route->target : nullptr;
    if (target != nullptr && shared_->options.prepare_body &&
        request->body.size() >= shared_->options.prepare_threshold)
      co_await PrepareBody(*request);
    bool ok = false;
    if (target == nullptr) {
      Response error = status == 405
                           ? ErrorResponse(405, "method_not_allowed",
                                           request->method + " is not allowed on " + request->path)
                           : ErrorResponse(404, "not_found", "no route for " + request->path);
      ok = co_await Write(std::move(error), keep_alive, version);
    } else if (auto* handler = std::get_if<Handler>(target)) {
      Response response;
      try {
        response = (*handler)(*request);
      } catch (const std::exception& e) {
        response = InternalError(*request, e.what());
      } catch (...) {
        response = InternalError(*request, "a non-standard exception");
      }
      ok = co_await Write(std::move(response), keep_alive, version);
    } else if (auto* deferred = std::get_if<DeferredHandler>(target)) {
      ok = co_await ServeDeferred(*deferred, *request, keep_alive, version);
    } else {
      ok = co_await ServeStream(std::get<StreamHandler>(*target), *request, keep_alive, version);
    }
    if (!ok) co_return;
    if (!keep_alive) {
      co_await Shutdown(false);
      co_return;
    }
  }
}

namespace {

asio::awaitable<void> RunPrepare(const std::function<void(Request&)>* prepare, Request* request) {
  try {
    (*prepare)(*request);
  } catch (const std::exception& e) {
    request->prepared.reset();  // the handler works on the body itself
    spdlog::warn("preparing the body of {} {} failed: {}", request->method, request->path,
                 e.what());
  }
  co_return;
}

asio::awaitable<void> RunRender(Response* response) {
  try {
    response->body = response->render();
  } catch (const std::exception& e) {
    spdlog::error("rendering an answer failed: {}", e.what());
    *response = ErrorResponse(500, "internal", "the answer could not be rendered");
  }
  response->render = nullptr;  // what it owned goes with it, here
  co_return;
}

}  // namespace

asio::awaitable<void> Connection::Render(Response& response) {
  co_await asio::co_spawn(shared_->prepare_pool->get_executor(), RunRender(&response),
                          asio::use_awaitable);
}

asio::awaitable<void> Connection::PrepareBody(Request& request) {
  co_await asio::co_spawn(shared_->prepare_pool->get_executor(),
                          RunPrepare(&shared_->options.prepare_body, &request),
                          asio::use_awaitable);
}

asio::awaitable<std::optional<Request>> Connection::ReadRequest(bool& keep_alive, unsigned& version,
                                                                const Router::Route*& route,
                                                                int& route_status) {
  const ServerOptions& options = shared_->options;
  BeginWaiting();
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.body_limit(boost::none);  // checked against the route's limit once the header is in

  // A keep-alive connection may wait idle for its next request; once a request starts, its
  // header has a deadline of its own however slowly it trickles in.
  if (buffer_.size() == 0) {
    stream_.expires_after(options.idle_timeout);
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kFirstReadBytes), kUseTuple);
    if (ec) co_return std::nullopt;
    buffer_.commit(n);
  }
  stream_.expires_after(options.header_timeout);
  auto [ec, n] = co_await bhttp::async_read_header(stream_, buffer_, parser, kUseTuple);
  if (ec) {
    version = parser.is_header_done() ? parser.get().version() : 11;
    co_await RefuseUnreadable(ec, options.max_body_bytes, version);
    co_return std::nullopt;
  }

  auto& message = parser.get();
  keep_alive = message.keep_alive();
  version = message.version();
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  if (auto error = ParseTarget(request.target, request.path, request.query)) {
    co_await Refuse(400, "invalid", *error, version);
    co_return std::nullopt;
  }
  request.headers.reserve(std::distance(message.begin(), message.end()));
  for (const auto& field : message) {
    request.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
  }
  request.remote_address = remote_address_;

  route = shared_->router->Find(request, route_status);
  size_t limit = std::max(options.max_body_bytes, route ? route->body_limit.max_bytes : 0);
  boost::optional<uint64_t> length = parser.content_length();
  if (length && *length > limit) {
    co_await RefuseUnreadable(bhttp::error::body_limit, limit, version);
    co_return std::nullopt;
  }
  if (limit > options.max_body_bytes) {
    // Only a request whose credentials hold may send more than the default.
    bool large = parser.chunked() || length.value_or(0) > options.max_body_bytes;
    if (large && route->body_limit.admit) {
      std::optional<Response> refusal;
      try {
        refusal = route->body_limit.admit(request);
      } catch (const std::exception& e) {
        refusal = InternalError(request, e.what());
      }
      if (refusal) {
        co_await Refuse(std::move(*refusal), version);
        co_return std::nullopt;
      }
    }
  }
  parser.body_limit(limit);

  if (!parser.is_done()) {
    // Clients such as curl wait for this interim answer before sending a large body.
    if (beast::iequals(message[bhttp::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(kWriteTimeout);
      std::tie(ec, n) = co_await asio::async_write(stream_, asio::buffer(kContinue), kUseTuple);
      if (ec) co_return std::nullopt;
    }
    // One deadline for the whole body, however it trickles in.
    uint64_t expected = length.value_or(limit);
    auto transfer =
        std::chrono::milliseconds(expected * 1000 / std::max<size_t>(options.min_body_rate, 1));
    stream_.expires_after(options.body_timeout + transfer);
    std::tie(ec, n) = co_await bhttp::async_read(stream_, buffer_, parser, kUseTuple);
    if (ec) {
      co_await RefuseUnreadable(ec, limit, version);
      co_return std::nullopt;
    }
  }
  request.body = std::move(message.body());
  EndWaiting();  // read in full: from now on the server owes the answer
  co_return request;
}

asio::awaitable<void> Connection::RefuseUnreadable(error_code ec, size_t body_limit,
                                                   unsigned version) {
  if (ec == bhttp::error::body_limit) {
    co_await Refuse(
        413, "too_large",
        "the request body is larger than the limit of " + std::to_string(body_limit) + " bytes",
        version);
  } else if (ec == bhttp::error::header_limit) {
    co_await Refuse(431, "too_large", "the request header is too large", version);
  } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
             ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    co_await Refuse(400, "invalid", "malformed HTTP request: " + ec.message(), version);
  }
  // Anything else (the client closed, reset or missed a deadline) just ends the connection.
}

asio::awaitable<void> Connection::Refuse(int status, std::string_view code,
                                         std::string_view message, unsigned version) {
  co_await Refuse(ErrorResponse(status, code, message), version);
}

asio::awaitable<void> Connection::Refuse(Response response, unsigned version) {
  bool written = co_await Write(std::move(response), false, version);
  if (written) co_await Shutdown(true);
}

asio::awaitable<bool> Connection::Write(Response response, bool keep_alive, unsigned version) {
  if (response.render) co_await Render(response);
  if (response.status < 100 || response.status > 599) {
    spdlog::error("a handler answered with the invalid status {}", response.status);
    response = ErrorResponse(500, "internal", "the handler produced an invalid status");
  }
  // These statuses have no body by definition; Beast refuses to frame one.
  if (response.status < 200 || response.status == 204 || response.status == 304) {
    response.body.clear();
  }
  bhttp::response<bhttp::string_body> message{static_cast<bhttp::status>(response.status), version};
  message.set(bhttp::field::server, "kraken");
  if (!HasLineBreak(response.content_type)) {
    message.set(bhttp::field::content_type, response.content_type);
  }
  for (auto& [name, value] : response.headers) {
    // A line break would let a header value smuggle in headers or a second response.
    if (HasLineBreak(name) || HasLineBreak(value)) {
      spdlog::error("dropping response header {} with a line break", name);
      continue;
    }
    if (beast::iequals(name, "content-type")) {
      message.set(bhttp::field::content_type, value);
    } else {
      message.insert(name, value);
    }
  }
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  message.prepare_payload();
  stream_.expires_after(kWriteTimeout);
  auto [ec, n] = co_await bhttp::async_write(stream_, message, kUseTuple);
  co_return !ec;
}

asio::awaitable<bool> Connection::Park() {
  stream_.expires_never();
  wake_.expires_at(asio::steady_timer::time_point::max());
  if (buffer_.size() >= kMaxPipelinedBytes) {
    // Enough is buffered for the next request; stop watching until the answer is out.
    co_await wake_.async_wait(kUseTuple);
    co_return stream_.socket().is_open();
  }
  auto space = buffer_.prepare(kPeekBytes);
  auto [order, wait_ec, read_ec, n] =
      co_await asio::experimental::make_parallel_group(
          wake_.async_wait(asio::deferred), stream_.async_read_some(space, asio::deferred))
          .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
  if (!read_ec) {
    buffer_.commit(n);  // a pipelined request: keep it for later
    co_return true;
  }
  // End of file or a reset means the client has gone; a cancelled read means we woke.
  bool woken = read_ec == asio::error::operation_aborted;
  co_return woken&& stream_.socket().is_open();
}

asio::awaitable<bool> Connection::Handshake() {
  if (!stream_.tls()) co_return true;
  stream_.expires_after(kTlsHandshakeTimeout);
  auto [ec] = co_await stream_.async_handshake(kUseTuple);
  if (ec) {
    // Port scanners, plain-HTTP clients and clients that distrust our certificate end here.
    spdlog::debug("TLS handshake with {} failed: {}", remote_address_, ec.message());
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> Connection::Shutdown(bool drain) {
  error_code ec;
  if (stream_.tls()) {
    // close_notify tells the client the body is complete; waiting for the client's own
    // close_notify is bounded, and a client that sends more meanwhile just ends it.
    stream_.expires_after(kTlsShutdownTimeout);
    std::tie(ec) = co_await stream_.async_shutdown(kUseTuple);
    stream_.close();
    co_return;
  }
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (drain) {
    buffer_.clear();
    size_t drained = 0;
    auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
    while (drained < kMaxDrainBytes) {
      stream_.expires_at(deadline);
      auto [read_ec, n] = co_await stream_.async_read_some(buffer_.prepare(16 * 1024), kUseTuple);
      if (read_ec) break;
      drained += n;
    }
  }
  stream_.close();
}

void ServeConnection(std::shared_ptr<ServerShared> shared, asio::ip::tcp::socket socket) {
  auto executor = socket.get_executor();
  auto connection = std::make_shared<Connection>(std::move(shared), std::move(socket));
  asio::co_spawn(executor, connection->Serve(connection), [](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      spdlog::error("HTTP connection failed: {}", e.what());
    }
  });
}

void CloseConnection(Connection* connection) { connection->Close(); }

bool EvictLongestWaiting(ServerShared& shared) {
  if (shared.waiting.empty()) return false;
  auto [since, connection] = *shared.waiting.begin();
  if (std::chrono::steady_clock::now() - since < shared.options.evict_waiting_after) return false;
  connection->Evict();
  return true;
}

size_t LiveConnections(const ServerShared& shared) {
  return shared.connections.size() - shared.evicted;
}

void WakeConnection(Connection* connection) { connection->Wake(); }

}  // namespace kraken::http
