// HTTPS: the server's TLS stream with real certificates made here with OpenSSL, and the
// client's three ways of trusting it (system CAs, a CA file, a pinned fingerprint).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "http/certificate.h"
#include "http/client.h"
#include "http/test_server.h"

namespace kraken::http {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct TestCertificate {
  std::string cert, key, fingerprint;
};

class TlsTest : public ServerTest {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "kraken-tls-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    server_cert_ = Make("server");
    other_cert_ = Make("other");
    router_.Add("GET", "/hello", Handler([](Request&) {
                  Response r;
                  r.body = "hello over TLS";
                  return r;
                }));
  }
  void TearDown() override {
    OnLoopIfRunning([this] { timers_.clear(); });
    ServerTest::TearDown();
    fs::remove_all(dir_);
  }
  void OnLoopIfRunning(std::function<void()> fn) {
    if (thread_.joinable()) {
      OnLoop([&] { return fn(), 0; });
    } else {
      fn();
    }
  }

  TestCertificate Make(const std::string& name) {
    TestCertificate c{dir_ + "/" + name + ".crt", dir_ + "/" + name + ".key", ""};
    auto written = WriteSelfSignedCertificate(c.cert, c.key, {"localhost", "127.0.0.1"});
    EXPECT_TRUE(written) << written.error().message;
    auto info = ReadCertificateInfo(c.cert);
    EXPECT_TRUE(info) << info.error().message;
    if (info) c.fingerprint = info->fingerprint;
    return c;
  }

  void StartTls() {
    ServerOptions options;
    options.tls_cert_file = server_cert_.cert;
    options.tls_key_file = server_cert_.key;
    Start(options);
  }

  std::string HttpsUrl(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  Result<ClientResponse> Get(TlsTrust trust, const std::string& path = "/hello") {
    Client client;
    client.set_tls_trust(std::move(trust));
    return client.Request("GET", HttpsUrl(path), "", {}, 10s);
  }

  std::string dir_;
  TestCertificate server_cert_, other_cert_;
  std::vector<std::unique_ptr<Loop::Timer>> timers_;  // loop thread only
};

TEST_F(TlsTest, PinnedFingerprintConnects) {
  StartTls();
  auto response = Get({.fingerprint = server_cert_.fingerprint});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello over TLS");
}

TEST_F(TlsTest, CaFileThatSignedTheCertificateConnects) {
  StartTls();
  auto response = Get({.ca_file = server_cert_.cert});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->body, "hello over TLS");
}

TEST_F(TlsTest, WrongPinIsRefusedSayingWhichCertificateItSaw) {
  StartTls();
  auto response = Get({.fingerprint = other_cert_.fingerprint});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kForbidden);
  EXPECT_NE(
      response.error().message.find("has the SHA-256 fingerprint " + server_cert_.fingerprint +
                                    ", not the pinned " + other_cert_.fingerprint),
      std::string::npos)
      << response.error().message;
}

TEST_F(TlsTest, UntrustedCaIsRefused) {
  StartTls();
  auto response = Get({.ca_file = other_cert_.cert});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kForbidden);
  EXPECT_NE(response.error().message.find("is not trusted by " + other_cert_.cert),
            std::string::npos)
      << response.error().message;
}

TEST_F(TlsTest, SelfSignedCertificateIsNotTrustedBySystemCas) {
  StartTls();
  auto response = Get({});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kForbidden);
  EXPECT_NE(response.error().message.find("the system's CA bundle"), std::string::npos)
      << response.error().message;
}

TEST_F(TlsTest, PlainHttpClientGetsNoAnswerAndTheServerCarriesOn) {
  StartTls();
  RawSocket plain(server_->port());
  ASSERT_TRUE(plain.connected());
  ASSERT_TRUE(plain.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(plain.ReadAll(2s).find("hello over TLS"), std::string::npos);
  auto response = Get({.fingerprint = server_cert_.fingerprint});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
}

TEST_F(TlsTest, StalledHandshakeDoesNotBlockOthers) {
  StartTls();
  RawSocket silent(server_->port());  // connects and never says hello
  ASSERT_TRUE(silent.connected());
  auto response = Get({.fingerprint = server_cert_.fingerprint});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
}

TEST_F(TlsTest, ParkedLongPollIsAnsweredLater) {
  router_.Add("GET", "/poll", DeferredHandler([this](Request&, std::shared_ptr<Responder> r) {
                timers_.push_back(loop_.After(300ms, [r] {
                  Response answer;
                  answer.body = "job";
                  r->Send(std::move(answer));
                }));
              }));
  StartTls();
  Client client;
  client.set_tls_trust({.fingerprint = server_cert_.fingerprint});
  for (int i = 0; i < 2; ++i) {  // twice: the kept-alive TLS connection parks again
    auto start = std::chrono::steady_clock::now();
    auto response = client.Request("GET", HttpsUrl("/poll"), "", {}, 10s);
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, "job");
    EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  }
}

TEST_F(TlsTest, ServerSentEventsArriveOneByOne) {
  std::shared_ptr<StreamWriter> writer;  // loop thread only
  router_.Add("GET", "/events", StreamHandler([&](Request&, std::shared_ptr<StreamWriter> w) {
                w->SetContentType("text/event-stream");
                writer = w;
                EXPECT_TRUE(w->Write("data: 1\n\n"));
              }));
  StartTls();
  Client client;
  client.set_tls_trust({.fingerprint = server_cert_.fingerprint});
  std::vector<std::string> events;
  auto status = client.Stream(
      HttpsUrl("/events"), {},
      [&](std::string_view piece) {
        events.emplace_back(piece);
        // Each event is written only once the previous one arrived.
        OnLoop([&] {
          if (events.size() < 3) {
            writer->Write("data: " + std::to_string(events.size() + 1) + "\n\n");
          } else {
            writer->Close();
          }
          return 0;
        });
        return true;
      },
      10s);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(*status, 200);
  EXPECT_EQ(events, (std::vector<std::string>{"data: 1\n\n", "data: 2\n\n", "data: 3\n\n"}));
  OnLoop([&] { return writer.reset(), 0; });
}

TEST_F(TlsTest, StartFailsClearlyOnAKeyOfAnotherCertificate) {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.tls_cert_file = server_cert_.cert;
  options.tls_key_file = other_cert_.key;
  Server server(loop_, router_, options);
  auto started = server.Start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("does not belong to the certificate"), std::string::npos)
      << started.error().message;
  options.tls_key_file = dir_ + "/missing.key";
  Server missing(loop_, router_, options);
  started = missing.Start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("cannot load the TLS key"), std::string::npos)
      << started.error().message;
}

TEST_F(TlsTest, KeyIsPrivateAndCertificateSelfSigned) {
  struct stat st {};
  ASSERT_EQ(stat(server_cert_.key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  auto info = ReadCertificateInfo(server_cert_.cert);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->self_signed);
  EXPECT_EQ(info->fingerprint.size(), 64u);
}

TEST(Fingerprint, NormalizesTheWaysOpensslAndPeopleWriteIt) {
  const std::string hex(64, 'a');
  std::string colons;
  for (size_t i = 0; i < 64; i += 2) colons += (i ? ":" : "") + std::string("AA");
  EXPECT_EQ(*NormalizeFingerprint(hex), hex);
  EXPECT_EQ(*NormalizeFingerprint(colons), hex);
  EXPECT_EQ(*NormalizeFingerprint("sha256:" + hex), hex);
  EXPECT_EQ(DisplayFingerprint(hex), colons);
  EXPECT_FALSE(NormalizeFingerprint(hex.substr(2)));
  EXPECT_FALSE(NormalizeFingerprint(hex.substr(1) + "g"));
}

TEST(Loopback, OnlyAddressesNoOtherMachineReaches) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackAddress("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_TRUE(IsLoopbackAddress("localhost"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackAddress("::"));
  EXPECT_FALSE(IsLoopbackAddress("192.168.1.10"));
  EXPECT_FALSE(IsLoopbackAddress("ci.example.com"));
}

}  // namespace
}  // namespace kraken::http
