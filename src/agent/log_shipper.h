// Ships a job's output to the server in order: bytes are appended as the step writes them,
// a background thread sends them in batches numbered per step, and a batch is resent until
// the server acknowledges it. The server ignores a batch number it already has, so a
// dropped connection neither loses nor duplicates a line.
//
// Append() and Flush() may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "agent/protocol_client.h"
#include "core/protocol_limits.h"

namespace kraken::agent {

class LogShipper {
 public:
  LogShipper(std::string server_url, std::string token, int64_t job_id,
             const std::atomic<bool>& stopping);
  ~LogShipper();

  // Starts numbering a new step's batches from 0. Call after Flush() of the previous step.
  void BeginStep(int64_t step_idx);
  void Append(std::string_view bytes);
  // Blocks until everything appended before the call is acknowledged. False when the
  // server refused it (the job was taken away from this agent).
  bool Flush();

  static constexpr size_t kMaxBatch = 256 * 1024;
  // Even output that JSON escapes byte by byte (\u0001) fits the server's limit.
  static_assert(6 * kMaxBatch + 4096 <= kMaxLogBatchBytes);

 private:
  void Loop();

  ProtocolClient client_;
  const int64_t job_id_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;    // GUARDED_BY(mu_)
  uint64_t appended_ = 0;  // bytes ever appended; GUARDED_BY(mu_)
  uint64_t acked_ = 0;     // of which acknowledged by the server; GUARDED_BY(mu_)
  int64_t step_ = 0;       // GUARDED_BY(mu_)
  int64_t seq_ = 0;        // GUARDED_BY(mu_)
  bool sending_ = false;   // GUARDED_BY(mu_)
  bool refused_ = false;   // GUARDED_BY(mu_)
  bool quit_ = false;      // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace kraken::agent
