// Stream handlers: chunked bodies written piece by piece (live logs, server-sent events).
#include <gtest/gtest.h>

#include <mutex>

#include "http/client.h"
#include "http/test_server.h"

namespace kraken::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class StreamTest : public ServerTest {
 protected:
  void TearDown() override {
    OnLoop([this] { return timers_.clear(), 0; });
    ServerTest::TearDown();
  }
  std::vector<std::unique_ptr<Loop::Timer>> timers_;  // loop thread only
};

TEST_F(StreamTest, ChunksArriveSeparatelyAndPromptly) {
  std::mutex mutex;
  std::vector<Clock::time_point> written;  // guarded by mutex
  router_.Add("GET", "/logs", StreamHandler([&](Request&, std::shared_ptr<StreamWriter> w) {
                const std::vector<std::string> lines = {"one\n", "two\n", "three\n"};
                for (size_t i = 0; i < lines.size(); ++i) {
                  timers_.push_back(loop_.After(50ms * (i + 1), [&, w, i, lines] {
                    {
                      std::lock_guard lock(mutex);
                      written.push_back(Clock::now());
                    }
                    EXPECT_TRUE(w->Write(lines[i]));
                    if (i + 1 == lines.size()) w->Close();
                  }));
                }
              }));
  Start();

  std::vector<std::string> pieces;
  std::vector<Clock::time_point> arrived;
  Client client;
  auto status = client.Stream(Url("/logs"), {}, [&](std::string_view piece) {
    pieces.emplace_back(piece);
    arrived.push_back(Clock::now());
    return true;
  });
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(*status, 200);
  ASSERT_EQ(pieces, (std::vector<std::string>{"one\n", "two\n", "three\n"}));
  std::lock_guard lock(mutex);
  for (size_t i = 0; i < pieces.size(); ++i) {
    auto latency = arrived[i] - written[i];
    EXPECT_LT(latency, 50ms)
        << "chunk " << i << " took "
        << std::chrono::duration_cast<std::chrono::microseconds>(latency).count() << " us";
  }
}

TEST_F(StreamTest, ServerSentEventsHeader) {
  router_.Add("GET", "/events", StreamHandler([](Request&, std::shared_ptr<StreamWriter> w) {
                w->SetContentType("text/event-stream");
                w->Write("data: hello\n\n");
                w->Close();
              }));
  Start();
  RawSocket socket(server_->port());
  socket.Send("GET /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string response = socket.ReadAll();
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
  EXPECT_NE(response.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_NE(response.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\n\r\nd\r\ndata: hello\n\n\r\n0\r\n\r\n"), std::string::npos)
      << response;
}

TEST_F(StreamTest, HandlerCanRefuseWithAStatus) {
  router_.Add("GET", "/logs", StreamHandler([](Request&, std::shared_ptr<StreamWriter> w) {
                w->SetStatus(404);
                w->SetContentType("application/json");
                w->Write(R"({"error": {"code": "not_found", "message": "no such job"}})");
                w->Close();
              }));
  Start();
  Client client;
  std::string body;
  auto status = client.Stream(Url("/logs"), {}, [&](std::string_view piece) {
    body += piece;
    return true;
  });
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(*status, 404);
  EXPECT_EQ(body, R"({"error": {"code": "not_found", "message": "no such job"}})");
}

TEST_F(StreamTest, ALargeSingleWriteIsDelivered) {
  const std::string log(80 << 20, 'x');  // larger than the backlog limit
  router_.Add("GET", "/log", StreamHandler([&](Request&, std::shared_ptr<StreamWriter> w) {
                EXPECT_TRUE(w->Write(log));
                w->Close();
              }));
  Start();
  Client client;
  size_t received = 0;
  auto status = client.Stream(Url("/log"), {}, [&](std::string_view piece) {
    received += piece.size();
    return true;
  });
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(received, log.size());
}

TEST_F(StreamTest, ABacklogPastTheLimitDropsTheStream) {
  router_.Add("GET", "/log", StreamHandler([](Request&, std::shared_ptr<StreamWriter> w) {
                // Nothing is flushed until the handler returns, so this is all backlog.
                EXPECT_TRUE(w->Write(std::string(40 << 20, 'x')));
                EXPECT_FALSE(w->Write(std::string(40 << 20, 'y')));
                EXPECT_FALSE(w->open());
              }));
  Start();
  RawSocket socket(server_->port());
  socket.Send("GET /log HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string all = socket.ReadAll();
  EXPECT_EQ(all.rfind("HTTP/1.1 200 OK", 0), 0u);
  EXPECT_EQ(all.find("yyyy"), std::string::npos);
}

TEST_F(StreamTest, ConnectionIsReusedAfterTheStreamEnds) {
  router_.Add("GET", "/empty",
              StreamHandler([](Request&, std::shared_ptr<StreamWriter> w) { w->Close(); }));
  router_.Get("/n", [](Request&) { return Response::Text(200, "next"); });
  Start();
  RawSocket socket(server_->port());
  socket.Send("GET /empty HTTP/1.1\r\nHost: x\r\n\r\nGET /n HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string all;
  ASSERT_TRUE(WaitFor([&] {
    all += socket.ReadSome(100ms);
    return all.find("next") != std::string::npos;
  }));
  EXPECT_NE(all.find("\r\n\r\n0\r\n\r\nHTTP/1.1 200 OK"), std::string::npos) << all;
}

TEST_F(StreamTest, WriteFailsAfterTheClientLeaves) {
  std::shared_ptr<StreamWriter> writer;  // loop thread only
  router_.Add("GET", "/logs", StreamHandler([&](Request&, std::shared_ptr<StreamWriter> w) {
                writer = w;
                w->Write("first\n");
              }));
  Start();
  Client client;
  auto status = client.Stream(Url("/logs"), {}, [](std::string_view) { return false; });
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(*status, 200);
  EXPECT_TRUE(WaitFor([&] { return !OnLoop([&] { return writer->open(); }); }));
  EXPECT_FALSE(OnLoop([&] { return writer->Write("late\n"); }));
  OnLoop([&] { return writer.reset(), 0; });
}

TEST_F(StreamTest, ThrowingHandlerGets500) {
  router_.Add("GET", "/logs", StreamHandler([](Request&, std::shared_ptr<StreamWriter>) {
                throw std::runtime_error("no such log");
              }));
  Start();
  Client client;
  std::string body;
  auto status = client.Stream(Url("/logs"), {}, [&](std::string_view piece) {
    body += piece;
    return true;
  });
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, 500);
  EXPECT_NE(body.find(R"("code": "internal")"), std::string::npos);
}

}  // namespace
}  // namespace kraken::http
