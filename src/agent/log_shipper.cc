#include "agent/log_shipper.h"

#include "protocol/agent_messages.h"

namespace kraken::agent {

LogShipper::LogShipper(std::string server_url, std::string token, int64_t job_id,
                       const std::atomic<bool>& stopping)
    : client_(std::move(server_url), stopping), job_id_(job_id) {
  client_.set_token(std::move(token));
  thread_ = std::thread([this] { Loop(); });
}

LogShipper::~LogShipper() {
  {
    std::lock_guard lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LogShipper::BeginStep(int64_t step_idx) {
  std::unique_lock lock(mu_);
  // A batch of the previous step may still be on its way (background output).
  cv_.wait(lock, [&] { return !sending_ || quit_; });
  step_ = step_idx;
  seq_ = 0;
}

void LogShipper::Append(std::string_view bytes) {
  {
    std::lock_guard lock(mu_);
    pending_.append(bytes);
    appended_ += bytes.size();
  }
  cv_.notify_all();
}

bool LogShipper::Flush() {
  std::unique_lock lock(mu_);
  // Only what was appended before the call: a background step may keep appending.
  const uint64_t target = appended_;
  cv_.wait(lock, [&] { return refused_ || quit_ || acked_ >= target; });
  return !refused_;
}

void LogShipper::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return quit_ || (!pending_.empty() && !refused_); });
    if (quit_) return;
    // Cut at a line end where possible so a batch holds whole lines.
    size_t n = std::min(pending_.size(), kMaxBatch);
    if (n < pending_.size()) {
      size_t nl = pending_.rfind('\n', n - 1);
      if (nl != std::string::npos) n = nl + 1;
    }
    std::string batch = pending_.substr(0, n);
    Json body = protocol::ToJson(protocol::LogBatch{step_, seq_, batch});
    sending_ = true;
    lock.unlock();
    auto res = client_.Post("/agent/v1/jobs/" + std::to_string(job_id_) + "/logs", body);
    lock.lock();
    sending_ = false;
    if (res) {
      pending_.erase(0, n);
      acked_ += n;
      ++seq_;
    } else if (res.error().code != ErrorCode::kUnavailable) {
      refused_ = true;  // the job is no longer ours; drop the rest
      pending_.clear();
    }
    cv_.notify_all();
  }
}

}  // namespace kraken::agent
