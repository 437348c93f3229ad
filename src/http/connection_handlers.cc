// Answers that are not ready when the handler returns: a deferred one (the handler answers
// later, through a Responder) and a streamed one (chunked, as the handler writes it).
#include <spdlog/spdlog.h>

#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

#include "http/connection_impl.h"
#include "http/responders.h"

namespace kraken::http {

namespace bhttp = boost::beast::http;

asio::awaitable<bool> Connection::ServeDeferred(const DeferredHandler& handler, Request& request,
                                                bool keep_alive, unsigned version) {
  auto responder = std::make_shared<ConnectionResponder>(this);
  OnExit detach([&responder] { responder->Detach(); });
  try {
    handler(request, responder);
  } catch (const std::exception& e) {
    responder->Send(InternalError(request, e.what()));
  } catch (...) {
    responder->Send(InternalError(request, "a non-standard exception"));
  }
  while (!responder->response()) {
    bool present = co_await Park();
    if (!present || shared_->stopped) co_return false;
  }
  bool written = co_await Write(std::move(*responder->response()), keep_alive, version);
  co_return written;
}

asio::awaitable<bool> Connection::ServeStream(const StreamHandler& handler, Request& request,
                                              bool& keep_alive, unsigned version) {
  auto writer = std::make_shared<ConnectionStreamWriter>(this);
  OnExit detach([&writer] { writer->Detach(); });
  std::optional<Response> failure;
  try {
    handler(request, writer);
  } catch (const std::exception& e) {
    failure = InternalError(request, e.what());
  } catch (...) {
    failure = InternalError(request, "a non-standard exception");
  }
  if (failure) {
    bool written = co_await Write(std::move(*failure), keep_alive, version);
    co_return written;
  }

  // HTTP/1.0 has no chunked encoding: the body then ends when the connection closes.
  bool chunked = version >= 11;
  if (!chunked) keep_alive = false;
  bhttp::response<bhttp::empty_body> header{static_cast<bhttp::status>(writer->status()), version};
  header.set(bhttp::field::server, "kraken");
  header.set(bhttp::field::content_type, writer->content_type());
  header.set(bhttp::field::cache_control, "no-cache");
  for (const auto& [name, value] : writer->headers()) header.set(name, value);
  // Reverse proxies such as nginx would otherwise buffer live output.
  header.set("X-Accel-Buffering", "no");
  header.keep_alive(keep_alive);
  if (chunked) header.chunked(true);
  bhttp::response_serializer<bhttp::empty_body> serializer{header};
  stream_.expires_after(kWriteTimeout);
  auto [ec, n] = co_await bhttp::async_write_header(stream_, serializer, kUseTuple);
  if (ec) co_return false;

  while (true) {
    if (writer->dropped()) co_return false;
    if (writer->has_data()) {
      std::string data = writer->TakeQueued();
      stream_.expires_after(kWriteTimeout);
      if (chunked) {
        std::tie(ec, n) =
            co_await asio::async_write(stream_, bhttp::make_chunk(asio::buffer(data)), kUseTuple);
      } else {
        std::tie(ec, n) = co_await asio::async_write(stream_, asio::buffer(data), kUseTuple);
      }
      if (ec) co_return false;
      continue;
    }
    if (writer->closed()) break;
    bool present = co_await Park();
    if (!present || shared_->stopped) co_return false;
  }
  if (chunked) {
    stream_.expires_after(kWriteTimeout);
    std::tie(ec, n) = co_await asio::async_write(stream_, bhttp::make_chunk_last(), kUseTuple);
    if (ec) co_return false;
  }
  co_return true;
}

}  // namespace kraken::http
