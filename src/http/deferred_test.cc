// Deferred handlers: requests parked on the loop and answered later.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

#include "http/client.h"
#include "http/test_server.h"

namespace kraken::http {
namespace {

using namespace std::chrono_literals;

// Resident set size of this process, in bytes.
size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

class DeferredTest : public ServerTest {
 protected:
  // Routes GET /poll to a handler that parks every request in `parked_`.
  void ParkPolls() {
    router_.Add("GET", "/poll", DeferredHandler([this](Request&, std::shared_ptr<Responder> r) {
                  parked_.push_back(std::move(r));
                  parked_count_ = parked_.size();
                }));
  }
  void AnswerAll() {
    OnLoop([this] {
      for (auto& responder : parked_) responder->Send(Response::Json(200, R"({"job": 1})"));
      return 0;
    });
  }

  std::vector<std::shared_ptr<Responder>> parked_;  // loop thread only
  std::atomic<size_t> parked_count_{0};
};

TEST_F(DeferredTest, AnsweredLaterFromATimer) {
  std::unique_ptr<Loop::Timer> timer;
  router_.Add("GET", "/poll", DeferredHandler([&](Request&, std::shared_ptr<Responder> r) {
                timer = loop_.After(50ms, [r] {
                  EXPECT_TRUE(r->open());
                  r->Send(Response::Json(200, R"({"job": 7})"));
                  EXPECT_FALSE(r->open());
                  r->Send(Response::Json(500, "ignored"));
                });
              }));
  Start();
  Client client;
  for (int i = 0; i < 2; ++i) {  // twice: the connection is kept alive after a deferred answer
    auto start = std::chrono::steady_clock::now();
    auto got = client.Request("GET", Url("/poll"));
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->status, 200);
    EXPECT_EQ(got->body, R"({"job": 7})");
    EXPECT_GE(elapsed, 50ms);
    EXPECT_LT(elapsed, 1s);
  }
  OnLoop([&] { return timer.reset(), 0; });
}

TEST_F(DeferredTest, AnsweredInsideTheHandler) {
  router_.Add("GET", "/now", DeferredHandler([](Request&, std::shared_ptr<Responder> r) {
                r->Send(Response::Text(200, "at once"));
              }));
  Start();
  Client client;
  auto got = client.Request("GET", Url("/now"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "at once");
}

TEST_F(DeferredTest, TwoHundredParkedRequestsAnsweredAtOnce) {
  ParkPolls();
  Start();
  std::vector<std::unique_ptr<RawSocket>> sockets;
  for (int i = 0; i < 200; ++i) {
    sockets.push_back(std::make_unique<RawSocket>(server_->port()));
    ASSERT_TRUE(sockets.back()->Send("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  ASSERT_TRUE(WaitFor([&] { return parked_count_ == 200; })) << parked_count_;
  auto start = std::chrono::steady_clock::now();
  AnswerAll();
  for (auto& socket : sockets) {
    std::string response = socket->ReadResponse();
    ASSERT_EQ(response.rfind("HTTP/1.1 200 OK", 0), 0u) << response;
    EXPECT_NE(response.find(R"({"job": 1})"), std::string::npos);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST_F(DeferredTest, ResponderClosesWhenTheClientLeaves) {
  ParkPolls();
  Start();
  {
    RawSocket socket(server_->port());
    socket.Send("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(WaitFor([&] { return parked_count_ == 1; }));
    EXPECT_TRUE(OnLoop([&] { return parked_[0]->open(); }));
  }
  EXPECT_TRUE(WaitFor([&] { return !OnLoop([&] { return parked_[0]->open(); }); }));
  AnswerAll();  // answering a departed client is harmless
}

TEST_F(DeferredTest, PipelinedRequestWaitsForTheParkedOne) {
  ParkPolls();
  router_.Get("/n", [](Request&) { return Response::Text(200, "second"); });
  Start();
  RawSocket socket(server_->port());
  socket.Send("GET /poll HTTP/1.1\r\nHost: x\r\n\r\nGET /n HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(WaitFor([&] { return parked_count_ == 1; }));
  EXPECT_EQ(socket.ReadSome(50ms), "");
  AnswerAll();
  EXPECT_NE(socket.ReadResponse().find(R"({"job": 1})"), std::string::npos);
  EXPECT_NE(socket.ReadResponse().find("second"), std::string::npos);
}

// The product must hold 1,000 agent long-polls in well under 100 MB for the whole server.
TEST_F(DeferredTest, ThousandParkedRequestsStaySmall) {
  ParkPolls();
  ServerOptions options;
  options.max_connections_per_address = 1000;  // the polls all come from 127.0.0.1
  Start(options);
  size_t before = ResidentBytes();
  std::vector<std::unique_ptr<RawSocket>> sockets;
  for (int i = 0; i < 1000; ++i) {
    sockets.push_back(std::make_unique<RawSocket>(server_->port()));
    ASSERT_TRUE(sockets.back()->Send(
        "GET /poll HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer 0123456789abcdef\r\n"
        "User-Agent: kraken\r\nAccept: application/json\r\n\r\n"));
  }
  ASSERT_TRUE(WaitFor([&] { return parked_count_ == 1000; })) << parked_count_;
  size_t grown = ResidentBytes() - std::min(before, ResidentBytes());
  RecordProperty("parked_bytes", std::to_string(grown));
  std::cout << "1000 parked requests grew the resident set by " << grown / 1024 << " KiB\n";
  EXPECT_LT(grown, 30u << 20);
  AnswerAll();
  for (auto& socket : sockets) EXPECT_EQ(socket->ReadResponse().rfind("HTTP/1.1 200", 0), 0u);
}

}  // namespace
}  // namespace kraken::http
