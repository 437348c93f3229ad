// The Responder and StreamWriter a connection hands to deferred and stream handlers. Each
// is bound to its connection until the connection's coroutine ends (Detach); from then on
// every call is a no-op and open() is false, so handlers may keep them as long as they like.
// Loop thread only.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "http/server.h"

namespace kraken::http {

class Connection;

// Resumes a connection parked on its Responder or StreamWriter (defined in connection.cc).
void WakeConnection(Connection* connection);

// True when `text` holds a CR or LF, which would let a header value smuggle in more headers.
bool HasLineBreak(std::string_view text);

class ConnectionResponder : public Responder {
 public:
  explicit ConnectionResponder(Connection* connection) : connection_(connection) {}
  void Send(Response response) override;
  bool open() const override { return connection_ != nullptr && !response_; }

  void Detach() { connection_ = nullptr; }
  std::optional<Response>& response() { return response_; }

 private:
  Connection* connection_;
  std::optional<Response> response_;
};

class ConnectionStreamWriter : public StreamWriter {
 public:
  explicit ConnectionStreamWriter(Connection* connection) : connection_(connection) {}
  bool Write(std::string data) override;
  void Close() override;
  bool open() const override { return connection_ != nullptr && !closed_ && !dropped_; }
  void SetContentType(std::string content_type) override;
  void SetStatus(int status) override;
  void AddHeader(std::string name, std::string value) override;
  size_t queued_bytes() const override { return queued_bytes_; }

  void Detach() { connection_ = nullptr; }
  // Everything written since the last call, as one piece.
  std::string TakeQueued();
  bool has_data() const { return !queue_.empty(); }
  bool closed() const { return closed_; }
  // True once the client fell so far behind that the stream was given up.
  bool dropped() const { return dropped_; }
  const std::string& content_type() const { return content_type_; }
  int status() const { return status_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }

 private:
  Connection* connection_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool closed_ = false;
  bool dropped_ = false;
  std::string content_type_ = "text/plain; charset=utf-8";
  int status_ = 200;
  std::vector<std::pair<std::string, std::string>> headers_;
};

}  // namespace kraken::http
