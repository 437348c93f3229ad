// Sign-in against the real server on loopback: passwords are checked off the event loop, so
// a burst of sign-ins holds up no other request, and a burst of wrong ones is throttled.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "auth/auth.h"
#include "http/test_server.h"
#include "server/app.h"

namespace kraken::server {
namespace {

using namespace std::chrono_literals;
using http::RawSocket;

class LoginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kraken-login-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    ServerConfig config;
    config.data_dir = dir_.string();
    config.port = 0;
    config.admin_password = "right";
    app_ = std::make_unique<App>(config);
    auto started = app_->Start();
    ASSERT_TRUE(started) << started.error().message;
    auto token = app_->CreateAdminToken("test");
    ASSERT_TRUE(token);
    token_ = *token;
    thread_ = std::thread([this] { app_->Run(); });
  }
  void TearDown() override {
    if (thread_.joinable()) {
      app_->Stop();
      thread_.join();
    }
    app_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Sends a sign-in from `source` without waiting for the answer.
  std::unique_ptr<RawSocket> SendLogin(const char* source, const std::string& password) {
    auto socket = std::make_unique<RawSocket>(app_->port(), source);
    std::string body = R"({"user": "admin", "password": ")" + password + R"("})";
    socket->Send(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body);
    return socket;
  }

  std::filesystem::path dir_;
  std::unique_ptr<App> app_;
  std::string token_;
  std::thread thread_;
};

bool IsStatus(const std::string& response, int status) {
  return response.rfind("HTTP/1.1 " + std::to_string(status) + " ", 0) == 0;
}

TEST_F(LoginTest, ParallelWrongSignInsDoNotHoldUpAnAuthenticatedRequest) {
  std::vector<std::unique_ptr<RawSocket>> logins;
  for (int i = 0; i < 16; ++i)
    logins.push_back(SendLogin(i % 2 ? "127.0.0.2" : "127.0.0.3", "wrong"));
  RawSocket get(app_->port(), "127.0.0.4");
  get.Send("GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token_ +
           "\r\n\r\n");
  std::string me = get.ReadResponse(30s);
  EXPECT_TRUE(IsStatus(me, 200)) << me;

  // The request was answered while passwords were still being checked.
  int answered_before = 0;
  std::vector<std::string> answers;
  for (auto& login : logins) {
    std::string early = login->ReadSome(0ms);
    answered_before += !early.empty();
    answers.push_back(early + login->ReadResponse(30s));
  }
  EXPECT_LT(answered_before, 16);
  for (const std::string& answer : answers) EXPECT_TRUE(IsStatus(answer, 401)) << answer;
}

TEST_F(LoginTest, WrongPasswordBurstGets429WithRetryAfterWhileOtherAddressesSignIn) {
  // A parallel burst: every attempt counts when it arrives, before its password is checked.
  std::vector<std::unique_ptr<RawSocket>> burst;
  for (int i = 0; i < auth::Auth::kLoginBurstPerAddress; ++i) {
    burst.push_back(SendLogin("127.0.0.5", "wrong"));
  }
  std::this_thread::sleep_for(300ms);  // lets the burst arrive first
  std::string throttled = SendLogin("127.0.0.5", "right")->ReadResponse(30s);
  EXPECT_TRUE(IsStatus(throttled, 429)) << throttled;
  EXPECT_NE(throttled.find("Retry-After: 6\r\n"), std::string::npos) << throttled;
  EXPECT_NE(throttled.find(R"("code": "rate_limited")"), std::string::npos) << throttled;

  for (auto& login : burst) {
    std::string answer = login->ReadResponse(60s);
    EXPECT_TRUE(IsStatus(answer, 401)) << answer;
  }

  std::string other = SendLogin("127.0.0.6", "right")->ReadResponse(30s);
  EXPECT_TRUE(IsStatus(other, 200)) << other;
  EXPECT_NE(other.find("Set-Cookie: kraken_session=kks_"), std::string::npos) << other;
}

}  // namespace
}  // namespace kraken::server
