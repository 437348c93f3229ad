// The HTTP/1.1 server: one Asio event loop (one thread) serving every connection with
// keep-alive, plus three handler shapes so that the rest of the server never sees Beast:
//
//  - a plain handler returns its Response at once;
//  - a deferred handler gets a Responder and answers later (agent long-polls park here
//    without holding a thread: 1,000 parked polls cost only their buffers);
//  - a stream handler gets a StreamWriter and writes a chunked body for as long as it likes
//    (live logs, server-sent events).
//
// All handlers, Responder and StreamWriter calls run on the loop thread. Other threads hand
// work to the loop with Loop::Post(). Nothing here is thread-safe except Loop::Post.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"
#include "http/message.h"

namespace kraken::http {

class Router;

// The event loop that owns all server state. Timers and posted work run on its thread.
class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // Runs until Stop(). Call from the thread that will own the loop.
  void Run();
  void Stop();
  // Thread-safe: queues `fn` to run on the loop thread.
  void Post(std::function<void()> fn);

  // A one-shot timer on the loop. Cancel() (or destroying the handle) stops it. Handles
  // must be dropped on the loop thread, before the Loop is destroyed.
  class Timer {
   public:
    virtual ~Timer() = default;
    virtual void Cancel() = 0;
  };
  std::unique_ptr<Timer> After(std::chrono::milliseconds delay, std::function<void()> fn);

  void* native();  // the asio::io_context, for the networking files only

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Answers one request later. Send() at most once; later calls are ignored.
class Responder {
 public:
  virtual ~Responder() = default;
  virtual void Send(Response response) = 0;
  // False once the response was sent or the connection is gone.
  virtual bool open() const = 0;
};

// Writes a chunked response body piece by piece.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Queues data; returns false when the client has gone away (the caller should drop it).
  virtual bool Write(std::string data) = 0;
  // Ends the body.
  virtual void Close() = 0;
  virtual bool open() const = 0;
  // Sets the Content-Type sent with the header ("text/plain; charset=utf-8" by default,
  // "text/event-stream" for server-sent events). Only effective before the handler returns.
  virtual void SetContentType(std::string content_type) {}
  // Sets the status sent with the header (200 by default), e.g. to refuse a bad request
  // with a JSON error body. Only effective before the handler returns.
  virtual void SetStatus(int status) {}
  // Adds a header (e.g. Content-Disposition). Only effective before the handler returns.
  virtual void AddHeader(std::string name, std::string value) {}
  // Bytes written but not yet handed to the socket: a writer of a large body waits while
  // this is high, so the body never sits whole in memory.
  virtual size_t queued_bytes() const { return 0; }
};

using Handler = std::function<Response(Request&)>;
using DeferredHandler = std::function<void(Request&, std::shared_ptr<Responder>)>;
// Once it returns, the server sends status 200 with a chunked body; the handler keeps the
// StreamWriter and writes data later.
using StreamHandler = std::function<void(Request&, std::shared_ptr<StreamWriter>)>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port; see Server::port()
  // The largest body a route takes unless it declares more (Router::BodyLimit). A larger
  // body is refused with 413 before it is read.
  size_t max_body_bytes = 1 << 20;
  // Connections served at once, in all and from one client address. One more is answered
  // 503 and closed at once, so a flood cannot exhaust the process's file descriptors (the
  // total is also kept under the descriptor limit, with room for the database and logs).
  size_t max_connections = 10'000;
  size_t max_connections_per_address = 256;
  // At the global cap, a new connection takes the place of the one that has waited longest
  // for its request to arrive in full (idle, or its header or body still trickling in), if
  // that one has waited this long; only when none has is the new one answered 503. A flood
  // from many addresses that holds connections without completing requests cannot keep
  // other clients out; connections whose request is being answered (a parked long-poll) are
  // never closed for it.
  std::chrono::milliseconds evict_waiting_after{1'000};
  // How long a keep-alive connection may wait for the next request.
  std::chrono::milliseconds idle_timeout{75'000};
  // A request's header must be complete this long after its first byte arrived.
  std::chrono::milliseconds header_timeout{30'000};
  // A body must be complete within body_timeout plus its length at min_body_rate bytes per
  // second, however it trickles in: a slow client cannot hold a connection for ever.
  std::chrono::milliseconds body_timeout{30'000};
  size_t min_body_rate = 64 << 10;
  // HTTPS: PEM files of the certificate (with its chain) and of its private key. Both
  // empty: plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Work on a body of at least prepare_threshold bytes that is done on one of
  // prepare_threads worker threads before the request's handler runs on the loop (parsing
  // it, say, into Request::prepared), so that a large body does not hold up the loop.
  // Empty: none. The same threads render the bodies of answers that ask for it
  // (Response::render).
  std::function<void(Request&)> prepare_body;
  size_t prepare_threshold = 64 << 10;
  int prepare_threads = 2;
};

// True for 127.0.0.0/8 and ::1 (and "localhost"): addresses no other machine can reach.
bool IsLoopbackAddress(const std::string& address);

class Server {
 public:
  Server(Loop& loop, Router& router, ServerOptions options);
  ~Server();
  // Binds and starts accepting. Fails with a clear message when the port is taken, or
  // when the TLS certificate or key cannot be loaded.
  Status Start();
  uint16_t port() const;
  // Connections open now (on the loop thread).
  size_t connection_count() const;
  // Stops accepting and closes every connection; parked Responders and StreamWriters turn
  // closed. Call on the loop thread, or while the loop is not running.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kraken::http
