#include "cloud/docker/http_engine_transport.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <string>

namespace kraken::docker {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using error_code = boost::system::error_code;

struct Exchange {
  bhttp::request<bhttp::string_body> request;
  bhttp::response_parser<bhttp::string_body> parser;
  error_code error;
  const char* stage = "connect";
};

// Sends the request and reads the answer on a connected socket, all within `timeout`: the
// operations run on `io` for at most that long, and the socket is closed if they are not done.
template <typename Socket>
void WriteAndRead(asio::io_context& io, Socket& socket, Exchange& x,
                  std::chrono::milliseconds timeout) {
  boost::beast::flat_buffer buffer;
  bool done = false;
  x.stage = "send";
  bhttp::async_write(socket, x.request, [&](error_code ec, size_t) {
    if (ec) {
      x.error = ec;
      done = true;
      return;
    }
    x.stage = "read";
    bhttp::async_read(socket, buffer, x.parser, [&](error_code ec, size_t) {
      x.error = ec;
      done = true;
    });
  });
  io.run_for(timeout);
  if (!done) {
    error_code ignored;
    socket.close(ignored);
    io.restart();
    io.run();  // the operations end, aborted
    x.error = asio::error::timed_out;
  }
}

std::pair<std::string, std::string> HostAndPort(const std::string& base_url) {
  std::string authority = base_url.substr(base_url.find("://") + 3);
  size_t colon = authority.rfind(':');
  return {authority.substr(0, colon), authority.substr(colon + 1)};
}

}  // namespace

HttpEngineTransport::HttpEngineTransport(EngineAddress address, EngineOptions options)
    : address_(std::move(address)), options_(options) {}

Result<EngineResponse> HttpEngineTransport::Send(const EngineRequest& request) {
  const std::string what = request.method + " " + request.target;
  const auto timeout = request.timeout.count() > 0 ? request.timeout : options_.request_timeout;

  Exchange x;
  x.request.method_string(request.method);
  x.request.target(request.target);
  x.request.version(11);
  x.request.set(bhttp::field::host, HostAndPort(address_.base_url).first);
  x.request.set(bhttp::field::user_agent, "kraken");
  x.request.set(bhttp::field::connection, "close");
  if (!request.body.empty()) {
    x.request.set(bhttp::field::content_type, "application/json");
    x.request.body() = request.body;
  }
  if (request.method == "POST" || !request.body.empty()) x.request.prepare_payload();
  x.parser.body_limit(options_.max_response_bytes);
  x.parser.header_limit(64 * 1024);

  asio::io_context io;
  if (!address_.unix_socket.empty()) {
    asio::local::stream_protocol::socket socket(io);
    socket.connect(asio::local::stream_protocol::endpoint(address_.unix_socket), x.error);
    if (!x.error) WriteAndRead(io, socket, x, timeout);
  } else {
    asio::ip::tcp::socket socket(io);
    asio::ip::tcp::resolver resolver(io);
    auto [host, port] = HostAndPort(address_.base_url);
    auto found = resolver.resolve(host, port, x.error);
    if (!x.error) {
      // A connect that hangs is bounded by the kernel's SYN retries; engines are near.
      asio::connect(socket, found, x.error);
      if (!x.error) WriteAndRead(io, socket, x, timeout);
    }
  }

  if (x.error == bhttp::error::body_limit) {
    return Fail(ErrorCode::kInternal, "docker engine at " + address_.text + ": answer to " + what +
                                          " exceeds " +
                                          std::to_string(options_.max_response_bytes) + " bytes");
  }
  if (x.error) {
    std::string why = x.error == asio::error::timed_out ? "timed out" : x.error.message();
    return Fail(ErrorCode::kUnavailable, "docker engine at " + address_.text + " unreachable (" +
                                             what + ", " + x.stage + "): " + why);
  }
  EngineResponse response;
  response.status = static_cast<int>(x.parser.get().result_int());
  response.body = std::move(x.parser.get().body());
  return response;
}

}  // namespace kraken::docker
