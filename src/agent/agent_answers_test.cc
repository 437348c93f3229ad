// A real agent against a real HTTP server that sends malformed answers: each is an error
// the agent survives.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>

#include "agent/agent.h"
#include "agent/protocol_client.h"
#include "http/test_server.h"

namespace kraken::agent {
namespace {

class AgentAnswersTest : public http::ServerTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kraken-agent-answers-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override {
    http::ServerTest::TearDown();
    std::filesystem::remove_all(dir_);
  }
  AgentOptions Options() {
    AgentOptions o;
    o.server_url = Url("");
    o.data_dir = dir_.string();
    o.name = "answers";
    return o;
  }
  std::filesystem::path dir_;
};

TEST_F(AgentAnswersTest, ARegisterAnswerOfTheWrongTypeEndsRunWithAnError) {
  router_.Post("/agent/v1/register", [](http::Request&) {
    return http::Response::Json(201, R"({"agent_id": 1, "token": "t", "authorized": "yes"})");
  });
  Start();
  Agent agent(Options());
  auto status = agent.Run();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().field, "authorized");
}

TEST_F(AgentAnswersTest, AMalformedJobIsSkippedAndTheAgentKeepsPolling) {
  std::atomic<int> polls{0};
  Agent* agent_ptr = nullptr;
  router_.Post("/agent/v1/register", [](http::Request&) {
    return http::Response::Json(201, R"({"agent_id": 1, "token": "t", "authorized": true})");
  });
  router_.Post("/agent/v1/poll", [&](http::Request&) {
    if (++polls == 1) return http::Response::Json(200, R"({"job": {"id": "seven"}, "step": null})");
    agent_ptr->Stop();
    return http::Response::Json(200, R"({"job": null})");
  });
  Start();
  Agent agent(Options());
  agent_ptr = &agent;
  auto status = agent.Run();
  EXPECT_TRUE(status) << status.error().message;
  EXPECT_EQ(polls, 2);
}

TEST_F(AgentAnswersTest, ARefusalWhoseErrorIsNotAnObjectKeepsItsBody) {
  router_.Post("/agent/v1/hello",
               [](http::Request&) { return http::Response::Json(409, R"({"error": "gone"})"); });
  Start();
  std::atomic<bool> stopping{false};
  ProtocolClient client(Url(""), stopping);
  auto answer = client.Post("/agent/v1/hello", Json::object());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kConflict);
  EXPECT_EQ(answer.error().message, R"({"error": "gone"})");
}

}  // namespace
}  // namespace kraken::agent
