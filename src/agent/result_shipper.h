// Ships a step's test results and lint issues to the server while the step runs: the tool
// reports them one by one, a background thread sends them in batches numbered per step, and
// a batch is resent until the server acknowledges it. The server stores a batch and its
// number in one transaction and ignores a number it already has, so a dropped connection or
// a server restart neither loses nor duplicates a result (as LogShipper does for output).
// Batches stay below the server's limits (core/protocol_limits.h): at most kMaxBatch items
// and kBatchBytes of JSON; a result or issue larger than kMaxResultItemBytes has its message
// shortened when it is reported.
//
// Result() and Issue() are called from the tool's thread, Flush() from the job's thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/protocol_client.h"
#include "agent/tools/tool.h"
#include "core/protocol_limits.h"

namespace kraken::agent {

class ResultShipper : public tools::Reporter {
 public:
  ResultShipper(std::string server_url, std::string token, int64_t job_id,
                const std::atomic<bool>& stopping);
  ~ResultShipper() override;

  // Starts numbering a new step's batches from 0. Call after Flush() of the previous step.
  void BeginStep(int64_t step_idx);
  void Result(results::ResultRecord record) override;
  void Issue(Json issue) override;
  // Blocks until everything reported so far is acknowledged; false when the server refused
  // a batch (the job was taken away, or the batch was invalid: `error()` says why).
  bool Flush();
  std::string error();

  static constexpr size_t kMaxBatch = 2000;
  // The JSON of a batch's items; the rest of the body is a few dozen bytes.
  static constexpr size_t kBatchBytes = kMaxResultBatchBytes - (64 << 10);
  static_assert(kMaxBatch <= kMaxResultBatchItems && kMaxResultItemBytes <= kBatchBytes);

  // How many of the first items (of the given JSON sizes) go in the next batch: at least
  // one, at most `max_items`, and no more than `max_bytes` of JSON in all.
  static size_t BatchSize(const std::vector<size_t>& bytes, size_t max_items, size_t max_bytes);
  // Shortens a result's or issue's message so that its JSON fits kMaxResultItemBytes;
  // returns the JSON size.
  static size_t FitItem(Json& item);

 private:
  struct Pending {
    Json item;
    size_t bytes = 0;  // its JSON size
  };
  void Loop();

  ProtocolClient client_;
  const int64_t job_id_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> results_;  // GUARDED_BY(mu_)
  std::vector<Pending> issues_;   // GUARDED_BY(mu_)
  int64_t step_ = 0;              // GUARDED_BY(mu_)
  int64_t seq_ = 0;               // GUARDED_BY(mu_)
  bool sending_ = false;          // GUARDED_BY(mu_)
  bool refused_ = false;          // GUARDED_BY(mu_)
  std::string error_;             // GUARDED_BY(mu_)
  bool quit_ = false;             // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace kraken::agent
