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

size_t ResultShipper::BatchSize(const std::vector<size_t>& bytes, size_t max_items,
                                size_t max_bytes) {
  size_t n = 0, total = 0;
  while (n < bytes.size() && n < max_items && (n == 0 || total + bytes[n] + 1 <= max_bytes)) {
    total += bytes[n] + 1;  // and a comma
    ++n;
  }
  return n;
}

size_t ResultShipper::FitItem(Json& item) {
  auto size = [&] { return item.dump(-1, ' ', false, Json::error_handler_t::replace).size(); };
  size_t bytes = size();
  if (bytes <= kMaxResultItemBytes) return bytes;
  constexpr std::string_view kCut = " [cut: too long to send]";
  auto message = item.find("message");
  if (message != item.end() && message->is_string()) {
    std::string text = *message;
    *message = "";
    // What the message may take once escaped in JSON, the rest of the item and the mark aside.
    size_t rest = size() + kCut.size() + 16;
    size_t budget = rest < kMaxResultItemBytes ? kMaxResultItemBytes - rest : 0;
    size_t keep = 0, escaped = 0;
    for (; keep < text.size(); ++keep) {
      unsigned char c = static_cast<unsigned char>(text[keep]);
      // Over-estimates are safe: a control character may take 6 (\u0001), a byte of
      // invalid UTF-8 becomes U+FFFD (3).
      size_t cost = c == '"' || c == '\\' ? 2 : c < 0x20 ? 6 : c >= 0x80 ? 3 : 1;
      if (escaped + cost > budget) break;
      escaped += cost;
    }
    while (keep > 0 && keep < text.size() &&
           (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80)
      --keep;  // not inside a UTF-8 character
    *message = text.substr(0, keep) + std::string(kCut);
    bytes = size();
  }
  if (bytes > kMaxResultItemBytes) {
    // Something other than the message is huge (values, a name): keep only what identifies it.
    Json small = Json::object();
    for (const char* k : {"test", "status", "path", "line", "type", "symbol"})
      if (item.contains(k)) small[k] = item[k];
    small["message"] = "[cut: too large to send]";
    item = std::move(small);
    bytes = size();
  }
  return bytes;
}

void ResultShipper::Result(results::ResultRecord record) {
  Json j = results::ToJson(record);
  size_t bytes = FitItem(j);
  {
    std::lock_guard lock(mu_);
    results_.push_back({std::move(j), bytes});
  }
  cv_.notify_all();
}

void ResultShipper::Issue(Json issue) {
  size_t bytes = FitItem(issue);
  {
    std::lock_guard lock(mu_);
    issues_.push_back({std::move(issue), bytes});
  }
  cv_.notify_all();
}

bool ResultShipper::Flush() {
  std::unique_lock lock(mu_);
  cv_.wait(lock,
           [&] { return refused_ || quit_ || (results_.empty() && issues_.empty() && !sending_); });
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
    // Results first, then issues, in one batch below both limits.
    std::vector<size_t> sizes;
    for (const Pending& p : results_) sizes.push_back(p.bytes);
    for (const Pending& p : issues_) sizes.push_back(p.bytes);
    size_t n = BatchSize(sizes, kMaxBatch, kBatchBytes);
    size_t nr = std::min(n, results_.size()), ni = n - nr;
    Json body = {
        {"step", step_}, {"seq", seq_}, {"results", Json::array()}, {"issues", Json::array()}};
    for (size_t i = 0; i < nr; ++i) body["results"].push_back(results_[i].item);
    for (size_t i = 0; i < ni; ++i) body["issues"].push_back(issues_[i].item);
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
