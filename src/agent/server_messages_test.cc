// The agent's reading of the server's answers: a malformed answer is an error the agent
// survives, checked both on the parsers and on a real agent talking to a real HTTP server.
#include "agent/server_messages.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>

#include "agent/agent.h"
#include "agent/protocol_client.h"
#include "http/test_server.h"

namespace kraken::agent {
namespace {

TEST(ServerMessagesTest, ReadsAWellFormedDispatch) {
  Json answer = Json::parse(R"({"job": {"id": 7, "name": "unit", "timeout": 60},
    "step": {"index": 2, "tool": "shell", "fields": {"cmd": "true", "attempts": 3,
             "sleep_time_after_attempt": 1.5}, "secrets": ["s3cret"]},
    "env": {"A": "1"}, "done": false})");
  auto d = ParseDispatch(answer);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->job_id, 7);
  EXPECT_EQ(d->job_name, "unit");
  EXPECT_EQ(d->timeout_seconds, 60);
  ASSERT_TRUE(d->step);
  EXPECT_EQ(d->step->index, 2);
  EXPECT_EQ(d->step->tool, "shell");
  EXPECT_EQ(d->step->attempts, 3);
  EXPECT_EQ(d->step->retry_pause, std::chrono::milliseconds(1500));
  EXPECT_EQ(d->step->secrets, std::vector<std::string>{"s3cret"});
  EXPECT_EQ(d->env["A"], "1");

  auto done = ParseDispatch(Json::parse(R"({"job": {"id": 7}, "step": null, "done": true})"));
  ASSERT_TRUE(done);
  EXPECT_FALSE(done->step);
  auto idle = ParsePollAnswer(Json::parse(R"({"job": null, "authorized": true})"));
  ASSERT_TRUE(idle);
  EXPECT_FALSE(*idle);
}

TEST(ServerMessagesTest, AFieldOfTheWrongTypeIsAnErrorNamingIt) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"job": {"id": "7"}})", "id"},
      {R"({"job": [1]})", "job"},
      {R"({"job": {"id": 7}, "step": {"index": 1, "secrets": [1]}})", "secrets"},
      {R"({"job": {"id": 7}, "step": {"index": 1, "secrets": "s"}})", "secrets"},
      {R"({"job": {"id": 7}, "step": {"index": 1, "fields": []}})", "fields"},
      {R"({"job": {"id": 7}, "step": {"tool": "shell"}})", "index"},
      {R"({"job": {"id": 7, "timeout": 1e300}})", "timeout"},
      {R"({"job": {"id": 7, "timeout": 9223372036854775807}})", "timeout"},
      {R"({"job": {"id": 7}, "env": "A=1"})", "env"},
  };
  for (const auto& [text, field] : cases) {
    auto d = ParseDispatch(Json::parse(text));
    ASSERT_FALSE(d) << text;
    EXPECT_EQ(d.error().field, field) << text;
  }
  EXPECT_FALSE(ParsePollAnswer(Json::array()));
  EXPECT_FALSE(ParseWatchAnswer(Json::parse(R"({"cancel": "yes"})")));
  EXPECT_FALSE(ParseRegisterAnswer(Json::parse(R"({"agent_id": 1, "token": 2})")));
  EXPECT_FALSE(ParseHelloAnswer(Json::parse(R"({"agent_id": 1, "poll_wait_ms": "soon"})")));
}

TEST(ServerMessagesTest, RetryFieldsOutOfRangeAreBounded) {
  auto d = ParseDispatch(Json::parse(R"({"job": {"id": 1}, "step": {"index": 0,
    "fields": {"attempts": 18446744073709551615, "sleep_time_after_attempt": 1e300}}})"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->step->attempts, 1'000'000);
  EXPECT_EQ(d->step->retry_pause, std::chrono::hours(24));
  d = ParseDispatch(Json::parse(R"({"job": {"id": 1}, "step": {"index": 0,
    "fields": {"attempts": -5, "sleep_time_after_attempt": -1}}})"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->step->attempts, 1);
  EXPECT_EQ(d->step->retry_pause, std::chrono::milliseconds(0));
}

TEST(ServerMessagesTest, RefusalMessageReadsOnlyTheDocumentedShape) {
  EXPECT_EQ(RefusalMessage(R"({"error": {"message": "gone"}})"), "gone");
  EXPECT_EQ(RefusalMessage(R"({"error": "gone"})"), R"({"error": "gone"})");
  EXPECT_EQ(RefusalMessage(R"({"error": {"message": 5}})"), R"({"error": {"message": 5}})");
  EXPECT_EQ(RefusalMessage("<html>"), "<html>");
}

// A real agent against a real HTTP server that sends malformed answers.
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
