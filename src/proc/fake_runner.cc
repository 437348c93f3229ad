#include "proc/fake_runner.h"

#include <signal.h>

#include <condition_variable>

#include "proc/line_splitter.h"

namespace kraken::proc {
namespace {

class FakeProcess : public Process {
 public:
  FakeProcess(pid_t pid, SpawnOptions options, FakeOutcome outcome)
      : pid_(pid),
        options_(std::move(options)),
        outcome_(std::move(outcome)),
        start_(std::chrono::steady_clock::now()) {}

  pid_t pid() const override { return pid_; }

  ProcessResult Wait() override {
    std::unique_lock<std::mutex> lock(mutex_);
    if (finished_) return result_;
    lock.unlock();
    DeliverOutput();
    lock.lock();

    if (outcome_.runs_until_stopped) {
      auto stopped = [this] { return cancelled_; };
      if (options_.timeout.count() > 0) {
        result_.timed_out =
            !cancelled_changed_.wait_until(lock, start_ + options_.timeout, stopped);
      } else {
        cancelled_changed_.wait(lock, stopped);
      }
      result_.cancelled = !result_.timed_out;
      result_.signal = SIGTERM;
    } else {
      result_.cancelled = cancelled_;
      result_.exit_code = outcome_.signal != 0 ? -1 : outcome_.exit_code;
      result_.signal = outcome_.signal;
    }
    result_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start_);
    finished_ = true;
    return result_;
  }

  void Cancel() override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_) return;
    cancelled_ = true;
    cancelled_changed_.notify_all();
  }

 private:
  void DeliverOutput() {
    if (!options_.on_output || outcome_.output.empty()) return;
    if (options_.output_mode == OutputMode::kLines) {
      LineSplitter splitter(options_.on_output);
      splitter.Feed(outcome_.output);
      splitter.Finish();
    } else {
      options_.on_output(outcome_.output);
    }
  }

  const pid_t pid_;
  const SpawnOptions options_;
  const FakeOutcome outcome_;
  const std::chrono::steady_clock::time_point start_;

  std::mutex mutex_;
  std::condition_variable cancelled_changed_;
  bool cancelled_ = false;  // Guarded by mutex_.
  bool finished_ = false;   // Guarded by mutex_.
  ProcessResult result_;    // Guarded by mutex_.
};

}  // namespace

std::string JoinCommandLine(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line += ' ';
    line += arg;
  }
  return line;
}

void FakeRunner::Expect(std::string command_part, FakeOutcome outcome) {
  std::lock_guard<std::mutex> lock(mutex_);
  expectations_.push_back({std::move(command_part), std::move(outcome)});
}

void FakeRunner::SetDefault(FakeOutcome outcome) {
  std::lock_guard<std::mutex> lock(mutex_);
  default_outcome_ = std::move(outcome);
}

tl::expected<std::unique_ptr<Process>, Error> FakeRunner::Spawn(const SpawnOptions& options) {
  std::lock_guard<std::mutex> lock(mutex_);
  spawned_.push_back(options);
  std::string command_line = JoinCommandLine(options.argv);
  FakeOutcome outcome = default_outcome_;
  for (auto it = expectations_.begin(); it != expectations_.end(); ++it) {
    if (command_line.find(it->command_part) != std::string::npos) {
      outcome = std::move(it->outcome);
      expectations_.erase(it);
      break;
    }
  }
  if (outcome.spawn_error) return tl::make_unexpected(*outcome.spawn_error);
  return std::make_unique<FakeProcess>(next_pid_++, options, std::move(outcome));
}

std::vector<SpawnOptions> FakeRunner::spawned() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return spawned_;
}

std::vector<std::string> FakeRunner::command_lines() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> lines;
  for (const SpawnOptions& options : spawned_) lines.push_back(JoinCommandLine(options.argv));
  return lines;
}

size_t FakeRunner::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return expectations_.size();
}

}  // namespace kraken::proc
