// The server's defences against floods and slow clients, on real loopback sockets:
// connection caps, request deadlines, and body limits checked before a body is read.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "http/client.h"
#include "http/router.h"
#include "http/test_server.h"

namespace kraken::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

bool StartsWith(const std::string& text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

std::string Get(uint16_t port, const char* source = nullptr) {
  RawSocket socket(port, source);
  socket.Send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
  return socket.ReadResponse();
}

// Sends one byte every 50 ms until the server closes; returns how long that took (or 5 s).
std::chrono::milliseconds TrickleUntilClosed(RawSocket& socket) {
  auto start = Clock::now();
  while (Clock::now() - start < 5s) {
    if (!socket.Send("x")) break;
    std::this_thread::sleep_for(50ms);
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

class LimitsTest : public ServerTest {
 protected:
  void SetUp() override {
    router_.Get("/ok", [](Request&) { return Response::Text(200, "ok"); });
  }
};

TEST_F(LimitsTest, ConnectionsOverThePerAddressCapGet503WhileOtherClientsAreServed) {
  ServerOptions options;
  options.max_connections_per_address = 3;
  Start(options);
  std::vector<std::unique_ptr<RawSocket>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawSocket>(server_->port()));
    ASSERT_TRUE(held.back()->connected());
  }
  RawSocket over(server_->port());
  std::string refused = over.ReadAll(2s);
  EXPECT_TRUE(StartsWith(refused, "HTTP/1.1 503 ")) << refused;
  EXPECT_NE(refused.find("too many connections from this address"), std::string::npos);
  EXPECT_NE(refused.find("Retry-After: 1\r\n"), std::string::npos) << refused;

  // Another client is served meanwhile, and so is this one once it holds fewer.
  EXPECT_TRUE(StartsWith(Get(server_->port(), "127.0.0.2"), "HTTP/1.1 200 ")) << "other client";
  held.pop_back();
  EXPECT_TRUE(WaitFor([&] { return StartsWith(Get(server_->port()), "HTTP/1.1 200 "); }));
}

TEST_F(LimitsTest, ConnectionsOverTheGlobalCapGet503AndAreServedOnceOthersClose) {
  ServerOptions options;
  options.max_connections = 2;
  options.evict_waiting_after = 1h;  // no connection here has waited long enough to make room
  Start(options);
  auto first = std::make_unique<RawSocket>(server_->port(), "127.0.0.2");
  RawSocket second(server_->port(), "127.0.0.3");
  std::string refused = RawSocket(server_->port()).ReadAll(2s);
  EXPECT_TRUE(StartsWith(refused, "HTTP/1.1 503 ")) << refused;
  EXPECT_NE(refused.find("too many connections"), std::string::npos) << refused;
  first.reset();
  EXPECT_TRUE(WaitFor([&] { return StartsWith(Get(server_->port()), "HTTP/1.1 200 "); }));
}

TEST_F(LimitsTest, AtTheGlobalCapANewClientTakesThePlaceOfTheLongestWaitingConnection) {
  // Connections from many addresses that send no request (or trickle a header) fill the
  // cap; a new client is served all the same, in the place of the one that waited longest.
  ServerOptions options;
  options.max_connections = 2;
  options.evict_waiting_after = 0ms;
  Start(options);
  RawSocket oldest(server_->port(), "127.0.0.2");
  ASSERT_TRUE(WaitFor([&] { return OnLoop([&] { return server_->connection_count(); }) == 1; }));
  RawSocket trickling(server_->port(), "127.0.0.3");
  ASSERT_TRUE(trickling.Send("GET /ok HTTP/1.1\r\nX-Slow: "));
  ASSERT_TRUE(WaitFor([&] { return OnLoop([&] { return server_->connection_count(); }) == 2; }));
  EXPECT_TRUE(StartsWith(Get(server_->port(), "127.0.0.4"), "HTTP/1.1 200 "));
  EXPECT_EQ(oldest.ReadAll(2s), "");  // closed without an answer
  // The trickling one came later: it is next, and was not closed yet.
  ASSERT_TRUE(trickling.Send("x\r\n\r\n"));
  EXPECT_TRUE(StartsWith(trickling.ReadResponse(), "HTTP/1.1 200 "));
}

TEST_F(LimitsTest, ConnectionsBusyWithARequestAreNeverClosedToMakeRoom) {
  std::vector<std::shared_ptr<Responder>> parked;
  router_.Add("GET", "/poll", DeferredHandler([&](Request&, std::shared_ptr<Responder> r) {
                parked.push_back(std::move(r));
              }));
  ServerOptions options;
  options.max_connections = 2;
  options.evict_waiting_after = 0ms;
  Start(options);
  RawSocket first(server_->port(), "127.0.0.2");
  RawSocket second(server_->port(), "127.0.0.3");
  ASSERT_TRUE(first.Send("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(second.Send("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(WaitFor([&] { return OnLoop([&] { return parked.size(); }) == 2; }));
  std::string refused = RawSocket(server_->port(), "127.0.0.4").ReadAll(2s);
  EXPECT_TRUE(StartsWith(refused, "HTTP/1.1 503 ")) << refused;
  OnLoop([&] {
    for (auto& r : parked) r->Send(Response::Text(200, "done"));
    parked.clear();
    return 0;
  });
  EXPECT_TRUE(StartsWith(first.ReadResponse(), "HTTP/1.1 200 "));
  EXPECT_TRUE(StartsWith(second.ReadResponse(), "HTTP/1.1 200 "));
}

TEST_F(LimitsTest, SlowHeaderIsCutOffAtTheHeaderDeadline) {
  ServerOptions options;
  options.header_timeout = 300ms;
  Start(options);
  RawSocket socket(server_->port());
  socket.Send("GET /ok HTTP/1.1\r\nX-Slow: ");
  auto held = TrickleUntilClosed(socket);
  EXPECT_GE(held, 250ms);
  EXPECT_LT(held, 3s);
}

TEST_F(LimitsTest, SlowBodyIsCutOffAtTheBodyDeadlineThoughEveryByteArrivesInTime) {
  router_.Post("/echo", [](Request& request) { return Response::Text(200, request.body); });
  ServerOptions options;
  options.body_timeout = 300ms;
  options.min_body_rate = 1 << 20;  // 1,000 bytes add 1 ms
  Start(options);
  RawSocket socket(server_->port());
  socket.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
  auto held = TrickleUntilClosed(socket);
  EXPECT_GE(held, 250ms);
  EXPECT_LT(held, 3s);

  // A body sent at once is well within the deadline.
  RawSocket fast(server_->port());
  fast.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  std::string response = fast.ReadResponse();
  EXPECT_TRUE(StartsWith(response, "HTTP/1.1 200 ")) << response;
}

TEST_F(LimitsTest, LongPollOutlivesTheRequestDeadlines) {
  std::unique_ptr<Loop::Timer> timer;
  router_.Add("GET", "/poll", DeferredHandler([&](Request&, std::shared_ptr<Responder> r) {
                timer = loop_.After(800ms, [r] { r->Send(Response::Text(200, "late")); });
              }));
  ServerOptions options;
  options.header_timeout = 200ms;
  options.body_timeout = 200ms;
  options.idle_timeout = 200ms;
  Start(options);
  RawSocket socket(server_->port());
  socket.Send("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string response = socket.ReadResponse(3s);
  EXPECT_TRUE(StartsWith(response, "HTTP/1.1 200 ")) << response;
  EXPECT_NE(response.find("late"), std::string::npos);
  OnLoop([&] {
    timer.reset();
    return 0;
  });
}

class BodyLimitTest : public LimitsTest {
 protected:
  void SetUp() override {
    LimitsTest::SetUp();
    router_.Post("/small",
                 [](Request& r) { return Response::Text(200, std::to_string(r.body.size())); });
    router_.Post("/upload", [&](Request& r) {
      ++uploads_;
      return Response::Text(200, std::to_string(r.body.size()));
    });
    router_.SetBodyLimit("POST", "/upload",
                         {1 << 20, [](const Request& request) -> std::optional<Response> {
                            if (request.Header("authorization") == "Bearer good") {
                              return std::nullopt;
                            }
                            return Response::Text(401, "who are you?");
                          }});
    ServerOptions options;
    options.max_body_bytes = 1024;
    Start(options);
  }
  int uploads_ = 0;
};

TEST_F(BodyLimitTest, LargeBodyWithoutCredentialsIsRefusedBeforeItIsSent) {
  RawSocket socket(server_->port());
  socket.Send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 500000\r\n\r\n");
  std::string response = socket.ReadResponse(2s);
  EXPECT_TRUE(StartsWith(response, "HTTP/1.1 401 ")) << response;
  EXPECT_NE(response.find("who are you?"), std::string::npos);
  EXPECT_EQ(OnLoop([&] { return uploads_; }), 0);
}

TEST_F(BodyLimitTest, LargeChunkedBodyWithoutCredentialsIsRefusedBeforeItIsSent) {
  RawSocket socket(server_->port());
  socket.Send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string response = socket.ReadResponse(2s);
  EXPECT_TRUE(StartsWith(response, "HTTP/1.1 401 ")) << response;
}

TEST_F(BodyLimitTest, LargeBodyWithCredentialsIsReadUpToTheRouteLimit) {
  Client client;
  std::string body(200'000, 'x');
  auto got = client.Request("POST", Url("/upload"), body, {"Authorization: Bearer good"});
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "200000");

  RawSocket socket(server_->port());
  socket.Send(
      "POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\n"
      "Content-Length: 2000000\r\n\r\n");
  std::string response = socket.ReadResponse(2s);
  EXPECT_TRUE(StartsWith(response, "HTTP/1.1 413 ")) << response;
}

TEST_F(BodyLimitTest, BodyOverTheDefaultIsRefusedOnOtherRoutesBeforeItIsSent) {
  RawSocket socket(server_->port());
  socket.Send(
      "POST /small HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer good\r\n"
      "Content-Length: 2000\r\n\r\n");
  std::string response = socket.ReadResponse(2s);
  EXPECT_TRUE(StartsWith(response, "HTTP/1.1 413 ")) << response;
  EXPECT_NE(response.find("limit of 1024 bytes"), std::string::npos) << response;

  // A small body needs no credentials.
  Client client;
  auto got = client.Request("POST", Url("/upload"), "tiny");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->body, "4");
}

}  // namespace
}  // namespace kraken::http
