#include "http/responders.h"

#include <spdlog/spdlog.h>

namespace kraken::http {
namespace {

// A stream whose client reads slower than the handler writes is dropped past this backlog.
constexpr size_t kMaxQueuedStreamBytes = 64 << 20;

}  // namespace

bool HasLineBreak(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

void ConnectionResponder::Send(Response response) {
  if (!open()) return;
  response_ = std::move(response);
  WakeConnection(connection_);
}

bool ConnectionStreamWriter::Write(std::string data) {
  if (!open()) return false;
  // One large write (a whole log) is fine; a backlog growing past the limit is not.
  if (!queue_.empty() && queued_bytes_ + data.size() > kMaxQueuedStreamBytes) {
    spdlog::warn("dropping a stream whose client reads too slowly");
    dropped_ = true;
    WakeConnection(connection_);
    return false;
  }
  if (data.empty()) return true;  // an empty chunk would end the body
  queued_bytes_ += data.size();
  queue_.push_back(std::move(data));
  WakeConnection(connection_);
  return true;
}

void ConnectionStreamWriter::Close() {
  if (!open()) return;
  closed_ = true;
  WakeConnection(connection_);
}

void ConnectionStreamWriter::SetContentType(std::string content_type) {
  if (!HasLineBreak(content_type)) content_type_ = std::move(content_type);
}

void ConnectionStreamWriter::AddHeader(std::string name, std::string value) {
  if (!HasLineBreak(name) && !HasLineBreak(value))
    headers_.emplace_back(std::move(name), std::move(value));
}

void ConnectionStreamWriter::SetStatus(int status) {
  if (status >= 200 && status <= 599) status_ = status;
}

std::string ConnectionStreamWriter::TakeQueued() {
  std::string all;
  if (queue_.size() == 1) {
    all = std::move(queue_.front());
  } else {
    all.reserve(queued_bytes_);
    for (std::string& piece : queue_) all += piece;
  }
  queue_.clear();
  queued_bytes_ = 0;
  return all;
}

}  // namespace kraken::http
