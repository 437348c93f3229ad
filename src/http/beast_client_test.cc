// The agent's HTTP client (BeastClient) against the project's own server, over HTTP and
// HTTPS: requests and their bodies, chunked streams, one kept-alive connection, timeouts, a
// stop flag, and the three ways of trusting a server (system CAs, a CA file, a pin).
#include "http/beast_client.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "http/certificate.h"
#include "http/test_server.h"

namespace kraken::http {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class BeastClientTest : public ServerTest {
 protected:
  void SetUp() override {
    router_.Add("POST", "/echo", Handler([](Request& request) {
                  Response r;
                  r.body = request.method + " " + request.target + " " + request.body;
                  return r;
                }));
    router_.Add("GET", "/header", Handler([](Request& request) {
                  Response r;
                  r.body = request.Header("x-kraken-test");
                  return r;
                }));
    router_.Add("GET", "/missing",
                Handler([](Request&) { return Response::Text(404, "no such thing"); }));
    router_.Add("GET", "/lines", StreamHandler([](Request&, std::shared_ptr<StreamWriter> w) {
                  EXPECT_TRUE(w->Write("one\n"));
                  EXPECT_TRUE(w->Write("two\n"));
                  w->Close();
                }));
    // Answers only after a second: a parked long-poll.
    router_.Add("GET", "/slow", DeferredHandler([this](Request&, std::shared_ptr<Responder> r) {
                  timers_.push_back(loop_.After(1s, [r] { r->Send(Response::Text(200, "late")); }));
                }));
  }
  void TearDown() override {
    if (thread_.joinable()) OnLoop([this] { return timers_.clear(), 0; });
    ServerTest::TearDown();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  struct TestCertificate {
    std::string cert, key, fingerprint;
  };
  TestCertificate Make(const std::string& name) {
    if (dir_.empty()) {
      std::string tmpl = (fs::temp_directory_path() / "kraken-beast-XXXXXX").string();
      EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
      dir_ = tmpl;
    }
    TestCertificate c{dir_ + "/" + name + ".crt", dir_ + "/" + name + ".key", ""};
    EXPECT_TRUE(WriteSelfSignedCertificate(c.cert, c.key, {"localhost", "127.0.0.1"}));
    auto info = ReadCertificateInfo(c.cert);
    if (info) c.fingerprint = info->fingerprint;
    return c;
  }
  void StartTls(const TestCertificate& certificate) {
    ServerOptions options;
    options.tls_cert_file = certificate.cert;
    options.tls_key_file = certificate.key;
    Start(options);
  }
  std::string HttpsUrl(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  std::string dir_;
  std::vector<std::unique_ptr<Loop::Timer>> timers_;  // loop thread only
};

TEST_F(BeastClientTest, PostSendsItsBodyAndHeadersAndGetsTheAnswer) {
  Start();
  BeastClient client;
  auto response =
      client.Request("POST", Url("/echo?x=1"), "{\"a\":1}", {"Content-Type: application/json"});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /echo?x=1 {\"a\":1}");

  response = client.Request("GET", Url("/header"), "", {"X-Kraken-Test: hello"});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "hello");
}

TEST_F(BeastClientTest, AnHttpErrorIsAnAnswerNotAFailure) {
  Start();
  BeastClient client;
  auto response = client.Request("GET", Url("/missing"));
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->body, "no such thing");
}

TEST_F(BeastClientTest, ManyRequestsShareOneConnection) {
  ServerOptions options;
  options.max_connections_per_address = 1;  // a second connection would be answered 503
  Start(options);
  BeastClient client;
  for (int i = 0; i < 5; ++i) {
    auto response = client.Request("POST", Url("/echo"), std::to_string(i));
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200) << response->body;
  }
}

TEST_F(BeastClientTest, StreamDeliversAChunkedBody) {
  Start();
  BeastClient client;
  std::string received;
  auto status = client.Stream(Url("/lines"), {}, [&](std::string_view piece) {
    received.append(piece);
    return true;
  });
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(*status, 200);
  EXPECT_EQ(received, "one\ntwo\n");
}

TEST_F(BeastClientTest, RefusedConnectionIsUnavailable) {
  Start();
  const std::string url = Url("/echo");
  OnLoop([this] { return server_->Stop(), 0; });
  BeastClient client;
  auto response = client.Request("POST", url, "x", {}, 2s);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(response.error().message.find("POST " + url + " failed"), std::string::npos)
      << response.error().message;
}

TEST_F(BeastClientTest, TimeoutIsUnavailable) {
  Start();
  BeastClient client;
  auto start = std::chrono::steady_clock::now();
  auto response = client.Request("GET", Url("/slow"), "", {}, 200ms);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(response.error().message.find("timed out"), std::string::npos)
      << response.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 900ms);
}

TEST_F(BeastClientTest, AbortFlagEndsAWaitingRequestLongBeforeItsTimeout) {
  Start();
  BeastClient client;
  std::atomic<bool> stop{false};
  client.set_abort_flag(&stop);
  std::thread stopper([&] {
    std::this_thread::sleep_for(200ms);
    stop = true;
  });
  auto start = std::chrono::steady_clock::now();
  auto response = client.Request("GET", Url("/slow"), "", {}, 60s);
  auto took = std::chrono::steady_clock::now() - start;
  stopper.join();
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable);
  EXPECT_LT(took, 900ms);
}

TEST_F(BeastClientTest, HostNamesAreResolved) {
  Start();
  BeastClient client;
  auto response =
      client.Request("POST", "http://localhost:" + std::to_string(server_->port()) + "/echo", "x");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "POST /echo x");
}

TEST_F(BeastClientTest, PinnedFingerprintConnectsOverTls) {
  TestCertificate server = Make("server");
  StartTls(server);
  BeastClient client;
  client.set_tls_trust({.fingerprint = server.fingerprint});
  auto response = client.Request("POST", HttpsUrl("/echo"), "secret");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "POST /echo secret");
}

TEST_F(BeastClientTest, CaFileThatSignedTheCertificateConnects) {
  TestCertificate server = Make("server");
  StartTls(server);
  BeastClient client;
  client.set_tls_trust({.ca_file = server.cert});
  auto response = client.Request("POST", HttpsUrl("/echo"), "x");
  ASSERT_TRUE(response) << response.error().message;
  // The certificate names localhost too: the host name check passes for it as well.
  response =
      client.Request("POST", "https://localhost:" + std::to_string(server_->port()) + "/echo", "y");
  ASSERT_TRUE(response) << response.error().message;
}

TEST_F(BeastClientTest, WrongPinIsRefusedSayingWhichCertificateItSaw) {
  TestCertificate server = Make("server"), other = Make("other");
  StartTls(server);
  BeastClient client;
  client.set_tls_trust({.fingerprint = other.fingerprint});
  auto response = client.Request("POST", HttpsUrl("/echo"), "x");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kForbidden);
  EXPECT_NE(response.error().message.find("has the SHA-256 fingerprint " + server.fingerprint +
                                          ", not the pinned " + other.fingerprint),
            std::string::npos)
      << response.error().message;
}

TEST_F(BeastClientTest, CertificateOfAnotherCaIsRefused) {
  TestCertificate server = Make("server"), other = Make("other");
  StartTls(server);
  BeastClient client;
  client.set_tls_trust({.ca_file = other.cert});
  auto response = client.Request("POST", HttpsUrl("/echo"), "x");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kForbidden);
  EXPECT_NE(response.error().message.find("is not trusted by " + other.cert), std::string::npos)
      << response.error().message;
}

TEST_F(BeastClientTest, SelfSignedCertificateIsNotTrustedBySystemCas) {
  TestCertificate server = Make("server");
  StartTls(server);
  BeastClient client;
  auto response = client.Request("POST", HttpsUrl("/echo"), "x");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kForbidden);
  EXPECT_NE(response.error().message.find("the system's CA bundle"), std::string::npos)
      << response.error().message;
}

TEST_F(BeastClientTest, CertificateForAnotherNameIsRefused) {
  TestCertificate server = Make("server");
  ASSERT_TRUE(WriteSelfSignedCertificate(server.cert, server.key, {"build.example"}));
  StartTls(server);
  BeastClient client;
  client.set_tls_trust({.ca_file = server.cert});
  auto response = client.Request("POST", HttpsUrl("/echo"), "x");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kForbidden);
}

TEST(SystemCaBundleTest, IsAFileThatExistsOrNothing) {
  std::string bundle = SystemCaBundle();
  if (!bundle.empty()) {
    EXPECT_TRUE(fs::is_regular_file(bundle)) << bundle;
  }
}

}  // namespace
}  // namespace kraken::http
