#include "agent/result_shipper.h"

namespace kraken::agent {

ResultShipper::ResultShipper(std::string server_url, std::string token, int64_t job_id,
                             const std::atomic<bool>& stopping)
    : client_(std::move(server_url), stopping), job_id_(job_id) {
  client_.set_token(std::move(token));
  thread_ = std::thread([this] { Loop(); });
}

ResultShipper::~ResultShipper() {
  {
    std::lock_guard lock(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ResultShipper::BeginStep(int64_t step_idx) {
  std::lock_guard lock(mu_);
  step_ = step_idx;
  seq_ = 0;
  refused_ = false;
  error_.clear();
}

void ResultShipper::Result(results::ResultRecord record) {
  Json j = results::ToJson(record);
  {
    std::lock_guard lock(mu_);
    results_.push_back(std::move(j));
  }
  cv_.notify_all();
}

void ResultShipper::Issue(Json issue) {
  {
    std::lock_guard lock(mu_);
    issues_.push_back(std::move(issue));
  }
  cv_.notify_all();
}

bool ResultShipper::Flush() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return refused_ || quit_ || (results_.empty() && issues_.empty() && !sending_); });
  return !refused_;
}

std::string ResultShipper::error() {
  std::lock_guard lock(mu_);
  return error_;
}

void ResultShipper::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return quit_ || ((!results_.empty() || !issues_.empty()) && !refused_); });
    if (quit_) return;
    // Let a fast tool fill a batch before sending a tiny one.
    if (results_.size() + issues_.size() < kMaxBatch)
      cv_.wait_for(lock, std::chrono::milliseconds(50),
                   [&] { return quit_ || results_.size() + issues_.size() >= kMaxBatch; });
    size_t nr = std::min(results_.size(), kMaxBatch);
    size_t ni = std::min(issues_.size(), kMaxBatch - nr);
    Json body = {{"step", step_}, {"seq", seq_},
                 {"results", Json(std::vector<Json>(results_.begin(), results_.begin() + nr))},
                 {"issues", Json(std::vector<Json>(issues_.begin(), issues_.begin() + ni))}};
    sending_ = true;
    lock.unlock();
    auto res = client_.Post("/agent/v1/jobs/" + std::to_string(job_id_) + "/results", body);
    lock.lock();
    sending_ = false;
    if (res) {
      results_.erase(results_.begin(), results_.begin() + nr);
      issues_.erase(issues_.begin(), issues_.begin() + ni);
      ++seq_;
    } else if (res.error().code != ErrorCode::kUnavailable) {
      refused_ = true;  // the job is no longer ours, or the batch is bad: drop the rest
      error_ = res.error().message;
      results_.clear();
      issues_.clear();
    }
    cv_.notify_all();
  }
}

}  // namespace kraken::agent
