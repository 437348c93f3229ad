// What an agent may register with: no token is needed, so its host_info and the number of
// agents waiting for an admin are bounded.
#include <gtest/gtest.h>

#include "core/protocol_limits.h"
#include "exec/engine_fixture.h"

namespace kraken::exec {
namespace {

using RegistrationTest = EngineFixture;

TEST_F(RegistrationTest, HostInfoIsBoundedInSizeAndDepth) {
  Json big = {{"system", "Linux"}, {"pad", std::string(kMaxHostInfoBytes, 'x')}};
  auto r = engine_->RegisterAgent("big", big, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "host_info");
  EXPECT_NE(r.error().message.find("more than the limit of 65536"), std::string::npos)
      << r.error().message;

  Json deep = Json::object();
  Json* at = &deep;
  for (size_t i = 0; i <= kMaxHostInfoDepth; ++i) at = &(*at)["a"];  // 9 objects
  r = engine_->RegisterAgent("deep", deep, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "nested deeper than 8 levels, the limit");

  auto ok = engine_->RegisterAgent("fine", {{"system", "Linux"}, {"cpus", 2}}, "");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_FALSE(engine_->UpdateHostInfo(ok->agent.id, big));
  EXPECT_FALSE(engine_->UpdateHostInfo(ok->agent.id, deep));
  EXPECT_TRUE(engine_->UpdateHostInfo(ok->agent.id, {{"system", "Linux"}}));
}

TEST_F(RegistrationTest, AgentsWaitingForAnAdminAreCapped) {
  {
    store::Transaction tx(store_->db());
    for (int64_t i = 0; i < kMaxUnauthorizedAgents; ++i) {
      Agent a;
      a.name = "waiting-" + std::to_string(i);
      ASSERT_TRUE(store_->CreateAgent(a, "hash-" + std::to_string(i)));
    }
    ASSERT_TRUE(tx.Commit());
  }
  auto refused = engine_->RegisterAgent("one-more", Json::object(), "");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message.find("1000 agents already wait for authorization"),
            std::string::npos)
      << refused.error().message;
  EXPECT_EQ(store_->ListAgents(false)->size(), static_cast<size_t>(kMaxUnauthorizedAgents));

  // An agent with a registration token is authorized at once and still gets in.
  auto token = engine_->MintRegistrationToken(std::nullopt, 60'000);
  ASSERT_TRUE(token);
  auto with_token = engine_->RegisterAgent("trusted", Json::object(), *token);
  ASSERT_TRUE(with_token) << with_token.error().message;
  EXPECT_TRUE(with_token->agent.authorized);
}

}  // namespace
}  // namespace kraken::exec
