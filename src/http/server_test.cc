// A real Server on 127.0.0.1 driven by the real Client and by raw sockets.
#include "http/server.h"

#include <gtest/gtest.h>

#include <any>
#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include "http/client.h"
#include "http/test_server.h"

namespace kraken::http {
namespace {

using namespace std::chrono_literals;

TEST_F(ServerTest, ServesGetAndPost) {
  Request seen;
  router_.Get("/hello/{name}", [&](Request& request) {
    seen = request;
    return Response::Text(
        200, "hello " + request.params.at("name") + " " + request.Query("greeting", "none"));
  });
  router_.Post("/echo", [](Request& request) {
    Response response = Response::Json(201, request.body);
    response.headers.emplace_back("X-Seen", std::string(request.Header("x-token")));
    return response;
  });
  Start();

  Client client;
  auto got = client.Request("GET", Url("/hello/big%20world?greeting=hi+there&x=%2F"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "hello big world hi there");
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/hello/big%20world?greeting=hi+there&x=%2F");
  EXPECT_EQ(seen.path, "/hello/big world");
  EXPECT_EQ(seen.query.at("x"), "/");
  EXPECT_EQ(seen.remote_address, "127.0.0.1");
  EXPECT_EQ(seen.Header("host"), "127.0.0.1:" + std::to_string(server_->port()));

  got = client.Request("POST", Url("/echo"), R"({"a": 1})", {"X-Token: abc"});
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 201);
  EXPECT_EQ(got->body, R"({"a": 1})");
}

TEST_F(ServerTest, AnswersHeadersAndContentType) {
  router_.Get("/page", [](Request&) {
    Response response = Response::Text(200, "<p>hi</p>", "text/html");
    response.headers.emplace_back("Set-Cookie", "a=1");
    response.headers.emplace_back("Set-Cookie", "b=2");
    return response;
  });
  Start();
  RawSocket socket(server_->port());
  socket.Send("GET /page HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string response = socket.ReadResponse();
  EXPECT_NE(response.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << response;
  EXPECT_NE(response.find("Content-Type: text/html\r\n"), std::string::npos) << response;
  EXPECT_NE(response.find("Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n"), std::string::npos);
  EXPECT_NE(response.find("\r\n\r\n<p>hi</p>"), std::string::npos);
}

TEST_F(ServerTest, UnknownRouteAndWrongMethodAreJsonErrors) {
  router_.Get("/things", [](Request&) { return Response::Json(200, "[]"); });
  Start();
  Client client;
  auto got = client.Request("GET", Url("/nothing/here"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 404);
  EXPECT_EQ(got->body,
            R"({"error": {"code": "not_found", "message": "no route for /nothing/here"}})");
  got = client.Request("DELETE", Url("/things"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 405);
  EXPECT_NE(got->body.find(R"("code": "method_not_allowed")"), std::string::npos);
}

TEST_F(ServerTest, BodyOverTheLimitGets413) {
  int calls = 0;
  router_.Post("/upload", [&](Request& request) {
    ++calls;
    return Response::Json(200, "{}");
  });
  ServerOptions options;
  options.max_body_bytes = 1024;
  Start(options);

  Client client;
  auto got = client.Request("POST", Url("/upload"), std::string(1024, 'a'));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 200);
  got = client.Request("POST", Url("/upload"), std::string(1 << 20, 'a'));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 413);
  EXPECT_NE(got->body.find(R"("code": "too_large")"), std::string::npos) << got->body;

  // A chunked body has no length up front: it is cut off while it is read.
  RawSocket socket(server_->port());
  socket.Send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  for (int i = 0; i < 3; ++i) socket.Send("200\r\n" + std::string(512, 'b') + "\r\n");
  EXPECT_EQ(socket.ReadAll().rfind("HTTP/1.1 413 ", 0), 0u);
  EXPECT_EQ(OnLoop([&] { return calls; }), 1);
}

TEST_F(ServerTest, LargeBodyWithExpectContinueGetsInterimAnswer) {
  router_.Post("/upload", [](Request& request) {
    return Response::Text(200, std::to_string(request.body.size()));
  });
  Start();
  RawSocket socket(server_->port());
  socket.Send(
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(socket.ReadSome(), "HTTP/1.1 100 Continue\r\n\r\n");
  socket.Send("hello");
  std::string response = socket.ReadResponse();
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK", 0), 0u) << response;
  EXPECT_EQ(response.substr(response.size() - 1), "5");
}

TEST_F(ServerTest, MalformedRequestsGet400) {
  router_.Get("/{rest...}", [](Request&) { return Response::Text(200, "ok"); });
  Start();
  for (const char* bad : {"THIS IS NOT HTTP\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                          "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                          "GET /ui/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    RawSocket socket(server_->port());
    ASSERT_TRUE(socket.connected());
    socket.Send(bad);
    std::string response = socket.ReadAll();
    EXPECT_EQ(response.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << bad << response;
    EXPECT_NE(response.find(R"({"error": {"code": "invalid")"), std::string::npos) << response;
  }
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  std::atomic<int> calls{0};
  router_.Get("/n", [&](Request&) { return Response::Text(200, std::to_string(++calls)); });
  Start();
  RawSocket socket(server_->port());
  socket.Send("GET /n HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(socket.ReadResponse().find("\r\n\r\n1"), std::string::npos);
  socket.Send("GET /n HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(socket.ReadResponse().find("\r\n\r\n2"), std::string::npos);
  // Pipelined: both requests in one write.
  socket.Send("GET /n HTTP/1.1\r\nHost: x\r\n\r\nGET /n HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(socket.ReadResponse().find("\r\n\r\n3"), std::string::npos);
  EXPECT_NE(socket.ReadResponse().find("\r\n\r\n4"), std::string::npos);
  // "Connection: close" is honoured.
  socket.Send("GET /n HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string last = socket.ReadAll();
  EXPECT_NE(last.find("Connection: close\r\n"), std::string::npos) << last;
  EXPECT_NE(last.find("\r\n\r\n5"), std::string::npos);
}

TEST_F(ServerTest, ThrowingHandlerGets500) {
  router_.Get("/boom", [](Request&) -> Response { throw std::runtime_error("kaboom"); });
  Start();
  Client client;
  auto got = client.Request("GET", Url("/boom"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 500);
  EXPECT_NE(got->body.find(R"("code": "internal")"), std::string::npos);
  got = client.Request("GET", Url("/boom"));  // the server is still there
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 500);
}

TEST_F(ServerTest, OddResponsesAreMadeSafe) {
  router_.Get("/no-content", [](Request&) { return Response::Json(204, "{}"); });
  router_.Get("/bad-status", [](Request&) { return Response::Json(42, "{}"); });
  router_.Get("/injection", [](Request&) {
    Response response = Response::Text(200, "ok");
    response.headers.emplace_back("X-Evil", "a\r\nSet-Cookie: stolen=1");
    return response;
  });
  Start();
  Client client;
  auto got = client.Request("GET", Url("/no-content"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 204);
  EXPECT_EQ(got->body, "");
  got = client.Request("GET", Url("/bad-status"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 500);
  RawSocket socket(server_->port());
  socket.Send("GET /injection HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string response = socket.ReadResponse();
  EXPECT_EQ(response.find("stolen"), std::string::npos) << response;
  EXPECT_NE(response.find("\r\n\r\nok"), std::string::npos) << response;
}

TEST_F(ServerTest, RefusesAmbiguousBodyFraming) {
  router_.Post("/upload", [](Request&) { return Response::Text(200, "ok"); });
  Start();
  RawSocket socket(server_->port());
  socket.Send(
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(socket.ReadAll().rfind("HTTP/1.1 400 ", 0), 0u);
}

TEST_F(ServerTest, PortInUseFailsWithAClearMessage) {
  Start();
  Loop other_loop;
  Router other_router;
  ServerOptions options;
  options.port = server_->port();
  Server other(other_loop, other_router, options);
  auto started = other.Start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(started.error().message.find("127.0.0.1:" + std::to_string(server_->port())),
            std::string::npos);
  EXPECT_NE(started.error().message.find("in use"), std::string::npos) << started.error().message;
}

TEST_F(ServerTest, StopClosesConnections) {
  router_.Add("GET", "/park", DeferredHandler([](Request&, std::shared_ptr<Responder>) {}));
  Start();
  RawSocket idle(server_->port());
  RawSocket parked(server_->port());
  parked.Send("GET /park HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(parked.ReadSome(100ms), "");  // still parked
  OnLoop([&] {
    server_->Stop();
    return 0;
  });
  EXPECT_EQ(idle.ReadAll(2s), "");
  EXPECT_EQ(parked.ReadAll(2s), "");
  EXPECT_FALSE(RawSocket(server_->port()).connected());
}

TEST_F(ServerTest, LoopPostRunsOnTheLoopThread) {
  Start();
  std::thread::id loop_thread = OnLoop([] { return std::this_thread::get_id(); });
  EXPECT_EQ(loop_thread, thread_.get_id());
  std::promise<std::thread::id> ran;
  std::thread other([&] { loop_.Post([&] { ran.set_value(std::this_thread::get_id()); }); });
  EXPECT_EQ(ran.get_future().get(), thread_.get_id());
  other.join();
}

TEST_F(ServerTest, LoopSurvivesAThrowingCallback) {
  Start();
  loop_.Post([] { throw std::runtime_error("a bug"); });
  EXPECT_EQ(OnLoop([] { return 7; }), 7);
}

TEST_F(ServerTest, LoopTimersFireAndCancel) {
  Start();
  std::promise<void> fired;
  std::atomic<bool> cancelled_ran{false};
  std::unique_ptr<Loop::Timer> kept, cancelled, dropped;
  OnLoop([&] {
    kept = loop_.After(20ms, [&] { fired.set_value(); });
    cancelled = loop_.After(10ms, [&] { cancelled_ran = true; });
    cancelled->Cancel();
    dropped = loop_.After(10ms, [&] { cancelled_ran = true; });
    dropped.reset();
    return 0;
  });
  EXPECT_EQ(fired.get_future().wait_for(2s), std::future_status::ready);
  std::this_thread::sleep_for(30ms);
  EXPECT_FALSE(cancelled_ran);
  OnLoop([&] {
    kept.reset();
    cancelled.reset();
    return 0;
  });
}

// A large body's preparation runs on a worker thread: the loop answers other requests
// meanwhile, and the handler gets what was prepared. A small body is not prepared.
TEST_F(ServerTest, ALargeBodyIsPreparedOffTheLoop) {
  std::promise<void> other_answered;
  std::shared_future<void> other_done = other_answered.get_future().share();
  std::atomic<int> prepared{0};
  std::thread::id loop_thread;
  std::thread::id prepare_thread;
  ServerOptions options;
  options.prepare_threshold = 1000;
  options.prepare_body = [&](Request& request) {
    prepare_thread = std::this_thread::get_id();
    ++prepared;
    // Holds this preparation until another request was answered: on the loop, that could
    // never happen and the wait would time out.
    bool other_first = other_done.wait_for(10s) == std::future_status::ready;
    request.prepared = std::string(other_first ? "after the other" : "the loop waited");
  };
  router_.Post("/big", [&](Request& request) {
    loop_thread = std::this_thread::get_id();
    const auto* note = std::any_cast<std::string>(&request.prepared);
    return Response::Text(200, note ? *note : "not prepared");
  });
  router_.Get("/health", [](Request&) { return Response::Text(200, "ok"); });
  Start(options);

  std::future<Result<ClientResponse>> big = std::async(std::launch::async, [&] {
    Client client;
    return client.Request("POST", Url("/big"), std::string(5000, 'x'));
  });
  ASSERT_TRUE(WaitFor([&] { return prepared == 1; }));
  Client client;
  auto health = client.Request("GET", Url("/health"));
  ASSERT_TRUE(health) << health.error().message;
  EXPECT_EQ(health->body, "ok");
  other_answered.set_value();
  auto answer = big.get();
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->body, "after the other");
  EXPECT_NE(prepare_thread, loop_thread);

  auto small = client.Request("POST", Url("/big"), "tiny");
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_EQ(small->body, "not prepared");
  EXPECT_EQ(prepared, 1);
}

// An answer that asks for it is rendered on a worker thread: the loop answers another
// request meanwhile. A render that throws answers 500.
TEST_F(ServerTest, AnAnswerIsRenderedOffTheLoop) {
  std::promise<void> other_answered;
  std::shared_future<void> other_done = other_answered.get_future().share();
  std::atomic<int> rendering{0};
  std::thread::id loop_thread, render_thread;
  router_.Get("/big", [&](Request&) {
    loop_thread = std::this_thread::get_id();
    Response response = Response::Json(200, "");
    response.render = [&] {
      render_thread = std::this_thread::get_id();
      ++rendering;
      // On the loop, the other request could never be answered and this would time out.
      bool other_first = other_done.wait_for(10s) == std::future_status::ready;
      return std::string(other_first ? "[\"after the other\"]" : "[\"the loop waited\"]");
    };
    return response;
  });
  router_.Get("/broken", [](Request&) {
    Response response = Response::Json(200, "");
    response.render = []() -> std::string { throw std::runtime_error("no"); };
    return response;
  });
  router_.Get("/health", [](Request&) { return Response::Text(200, "ok"); });
  Start(ServerOptions{});

  std::future<Result<ClientResponse>> big = std::async(std::launch::async, [&] {
    Client client;
    return client.Request("GET", Url("/big"));
  });
  ASSERT_TRUE(WaitFor([&] { return rendering == 1; }));
  Client client;
  auto health = client.Request("GET", Url("/health"));
  ASSERT_TRUE(health) << health.error().message;
  EXPECT_EQ(health->body, "ok");
  other_answered.set_value();
  auto answer = big.get();
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "[\"after the other\"]");
  EXPECT_NE(render_thread, loop_thread);

  auto broken = client.Request("GET", Url("/broken"));
  ASSERT_TRUE(broken) << broken.error().message;
  EXPECT_EQ(broken->status, 500);
  EXPECT_NE(broken->body.find("could not be rendered"), std::string::npos) << broken->body;
}

}  // namespace
}  // namespace kraken::http
