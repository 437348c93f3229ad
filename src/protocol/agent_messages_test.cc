// The agent protocol's messages: a malformed one is an error naming its field, and every
// message reads back as it was written.
#include "protocol/agent_messages.h"

#include <gtest/gtest.h>

namespace kraken::protocol {
namespace {

TEST(AgentMessagesTest, ReadsAWellFormedDispatch) {
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

TEST(AgentMessagesTest, AFieldOfTheWrongTypeIsAnErrorNamingIt) {
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

TEST(AgentMessagesTest, RetryFieldsOutOfRangeAreBounded) {
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

TEST(AgentMessagesTest, RefusalMessageReadsOnlyTheDocumentedShape) {
  EXPECT_EQ(RefusalMessage(R"({"error": {"message": "gone"}})"), "gone");
  EXPECT_EQ(RefusalMessage(R"({"error": "gone"})"), R"({"error": "gone"})");
  EXPECT_EQ(RefusalMessage(R"({"error": {"message": 5}})"), R"({"error": {"message": 5}})");
  EXPECT_EQ(RefusalMessage("<html>"), "<html>");
}

TEST(AgentMessagesTest, EveryMessageReadsBackAsItWasWritten) {
  JobDispatch d;
  d.job_id = 7;
  d.job_name = "unit";
  d.run_id = 3;
  d.timeout_seconds = 60;
  d.system = "debian:12";
  d.executor = "docker";
  d.container = "debian:12";
  d.attempt = 2;
  d.env = Json{{"A", "1"}};
  d.step = StepDispatch{};
  d.step->index = 1;
  d.step->tool = "shell";
  d.step->name = "build";
  d.step->fields = Json{{"cmd", "make"}, {"attempts", 3}, {"sleep_time_after_attempt", 2}};
  d.step->secrets = {"s3cret"};
  auto back = ParseDispatch(Json::parse(ToJson(d).dump()));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(ToJson(*back), ToJson(d));
  EXPECT_EQ(back->executor, "docker");
  EXPECT_EQ(back->container, "debian:12");
  EXPECT_EQ(back->attempt, 2);
  EXPECT_EQ(back->step->attempts, 3);
  EXPECT_EQ(back->step->retry_pause, std::chrono::seconds(2));
  d.step.reset();
  auto done = ParseDispatch(ToJson(d));
  ASSERT_TRUE(done);
  EXPECT_FALSE(done->step);
  EXPECT_EQ(ToJson(d)["done"], true);
  auto polled = ParsePollAnswer(ToJson(d));
  ASSERT_TRUE(polled && *polled);
  EXPECT_EQ((*polled)->job_id, 7);
  auto idle = ParsePollAnswer(IdlePollAnswer(true));
  ASSERT_TRUE(idle);
  EXPECT_FALSE(*idle);

  Identity id{4, "kat_x", true, 25'000};
  auto registered = ParseRegisterAnswer(ToJson(id));
  ASSERT_TRUE(registered);
  EXPECT_EQ(registered->token, "kat_x");
  EXPECT_EQ(registered->poll_wait_ms, 25'000);
  EXPECT_FALSE(ParseRegisterAnswer(ToJson(Identity{4, "", true, {}})));  // no token
  EXPECT_TRUE(ParseHelloAnswer(ToJson(Identity{4, "", true, {}})));

  EXPECT_EQ(ParseWatchAnswer(WatchAnswer(true)), true);
  EXPECT_EQ(ParseWatchAnswer(WatchAnswer(false)), false);

  StepReport report{false, 2, "exit-code", "exited with 2"};
  auto read = ParseStepReport(ToJson(report));
  ASSERT_TRUE(read);
  EXPECT_FALSE(read->ok);
  EXPECT_EQ(read->retcode, 2);
  EXPECT_EQ(ToJson(*read), ToJson(report));
  EXPECT_FALSE(ParseStepReport(Json{{"status", "running"}}));
  EXPECT_EQ(ParseStepReport(Json{{"status", "done"}, {"retcode", "0"}}).error().field, "retcode");

  LogBatch batch{1, 5, "hello\n"};
  auto log = ParseLogBatch(ToJson(batch));
  ASSERT_TRUE(log);
  EXPECT_EQ(ToJson(*log), ToJson(batch));
  EXPECT_EQ(ParseLogBatch(Json{{"step", 1}, {"data", ""}}).error().field, "seq");
  EXPECT_EQ(ParseLogBatch(Json{{"step", 1}, {"seq", 1}, {"data", 5}}).error().field, "data");
}

}  // namespace
}  // namespace kraken::protocol
