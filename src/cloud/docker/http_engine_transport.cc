#include "cloud/docker/http_engine_transport.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>

namespace kraken::docker {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using error_code = boost::system::error_code;

struct Exchange {
  bhttp::request<bhttp::string_body> request;
  bhttp::response_parser<bhttp::string_body> parser;
  beast::flat_buffer buffer;
  error_code error;
  const char* stage = "connect";
};

// Writes the request and reads the answer on a connected stream, each within the deadline
// the stream carries.
template <typename Stream>
void WriteAndRead(Stream& stream, Exchange& x, std::chrono::steady_clock::time_point deadline) {
  stream.expires_at(deadline);
  x.stage = "send";
  bhttp::async_write(stream, x.request, [&stream, &x](error_code ec, size_t) {
    if (ec) {
      x.error = ec;
      return;
    }
    x.stage = "read";
    bhttp::async_read(stream, x.buffer, x.parser, [&x](error_code ec, size_t) { x.error = ec; });
  });
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
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto connect_deadline =
      std::min(deadline, std::chrono::steady_clock::now() + options_.connect_timeout);

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
    beast::basic_stream<asio::local::stream_protocol> stream(io);
    stream.expires_at(connect_deadline);
    stream.async_connect(asio::local::stream_protocol::endpoint(address_.unix_socket),
                         [&](error_code ec) {
                           if (ec) x.error = ec;
                           else WriteAndRead(stream, x, deadline);
                         });
    io.run();
  } else {
    beast::tcp_stream stream(io);
    asio::ip::tcp::resolver resolver(io);
    auto [host, port] = HostAndPort(address_.base_url);
    stream.expires_at(connect_deadline);
    resolver.async_resolve(host, port, [&](error_code ec, asio::ip::tcp::resolver::results_type found) {
      if (ec) {
        x.error = ec;
        return;
      }
      stream.async_connect(found, [&](error_code ec, const asio::ip::tcp::endpoint&) {
        if (ec) x.error = ec;
        else WriteAndRead(stream, x, deadline);
      });
    });
    io.run();
  }

  if (x.error == bhttp::error::body_limit) {
    return Fail(ErrorCode::kInternal, "docker engine at " + address_.text + ": answer to " + what +
                                          " exceeds " +
                                          std::to_string(options_.max_response_bytes) + " bytes");
  }
  if (x.error) {
    std::string why = x.error == beast::error::timeout ? "timed out" : x.error.message();
    return Fail(ErrorCode::kUnavailable, "docker engine at " + address_.text + " unreachable (" +
                                             what + ", " + x.stage + "): " + why);
  }
  EngineResponse response;
  response.status = static_cast<int>(x.parser.get().result_int());
  response.body = std::move(x.parser.get().body());
  return response;
}

}  // namespace kraken::docker
