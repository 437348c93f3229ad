#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/server.h"

namespace kraken::http {

namespace asio = boost::asio;

struct Loop::Impl {
  asio::io_context io{1};  // one thread: lets Asio skip internal locking where it can
};

namespace {

class SteadyTimer : public Loop::Timer {
 public:
  SteadyTimer(asio::io_context& io, std::chrono::milliseconds delay, std::function<void()> fn)
      : timer_(io, delay) {
    // The callback owns `fn` but not the timer, so dropping the handle inside `fn` is safe.
    timer_.async_wait([fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec) fn();
    });
  }
  void Cancel() override { timer_.cancel(); }

 private:
  asio::steady_timer timer_;
};

}  // namespace

Loop::Loop() : impl_(std::make_unique<Impl>()) {}
Loop::~Loop() = default;

void Loop::Run() {
  auto work = asio::make_work_guard(impl_->io);
  // A callback that throws is a bug, but one bad callback must not take the server down.
  while (true) {
    try {
      impl_->io.run();
      // Stop() ends this Run (or the next one, when called before it); re-arm for later runs.
      impl_->io.restart();
      return;
    } catch (const std::exception& e) {
      spdlog::error("uncaught exception on the event loop: {}", e.what());
    } catch (...) {
      spdlog::error("uncaught non-standard exception on the event loop");
    }
  }
}

void Loop::Stop() { impl_->io.stop(); }

void Loop::Post(std::function<void()> fn) { asio::post(impl_->io, std::move(fn)); }

std::unique_ptr<Loop::Timer> Loop::After(std::chrono::milliseconds delay,
                                         std::function<void()> fn) {
  return std::make_unique<SteadyTimer>(impl_->io, delay, std::move(fn));
}

void* Loop::native() { return &impl_->io; }

}  // namespace kraken::http
