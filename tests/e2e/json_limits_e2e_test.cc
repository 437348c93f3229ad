// End to end: JSON too deep to copy or print never reaches a handler. A real server answers
// documents nested 100,000 levels deep (which overflowed its stack) with 400, through the
// unauthenticated agent registration as through the REST API, and goes on serving; agent
// registration is bounded in size.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "core/protocol_limits.h"
#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

class JsonLimitsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("json-limits");
    server_ = std::make_unique<ServerProcess>(dir_ + "/server");
    server_->Start();
    api_ = std::make_unique<Api>(server_->url());
    api_->Login();
  }
  void TearDown() override {
    server_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  void ExpectTooDeep(const std::pair<int, Json>& reply) {
    EXPECT_EQ(reply.first, 400) << reply.second.dump().substr(0, 300);
    EXPECT_EQ(reply.second["error"]["message"],
              "the request body is nested deeper than 64 levels, the limit");
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Api> api_;
};

TEST_F(JsonLimitsE2E, ADeeplyNestedHostInfoIsRefusedAndTheServerLivesOn) {
  Api anonymous(server_->url());
  for (size_t depth : {100'000, 10'000}) {
    std::string body = R"({"name": "deep", "host_info": )" + Nested(depth) + "}";
    ExpectTooDeep(anonymous.CallRaw("POST", "/agent/v1/register", body));
    auto [status, health] = anonymous.Call("GET", "/api/v1/health");
    EXPECT_EQ(status, 200) << health.dump();
  }
  EXPECT_TRUE(api_->Ok("GET", "/api/v1/agents").empty());  // nothing was stored

  // Registration needs no token: its host_info is small, its body refused before parsing.
  auto [status, reply] = anonymous.Call(
      "POST", "/agent/v1/register",
      Json{{"name", "big"}, {"host_info", {{"pad", std::string(kMaxHostInfoBytes, 'x')}}}});
  EXPECT_EQ(status, 400) << reply.dump().substr(0, 300);
  EXPECT_EQ(reply["error"]["field"], "host_info");
  std::tie(status, reply) =
      anonymous.Call("POST", "/agent/v1/register",
                     Json{{"name", "huge"}, {"host_info", {{"pad", std::string(8 << 20, 'x')}}}});
  EXPECT_EQ(status, 413) << reply.dump().substr(0, 300);
  EXPECT_EQ(reply["error"]["code"], "too_large");
}

TEST_F(JsonLimitsE2E, DeepBranchEnvAndSchemaDictAreRefused) {
  int64_t branch = api_->CreateBranch("deep", "main");
  int64_t project = ProjectOf(*api_, branch);
  ExpectTooDeep(api_->CallRaw("POST", "/api/v1/projects/" + std::to_string(project) + "/branches",
                              R"({"name": "b2", "env": {"X": )" + Nested(100'000) + "}}"));
  int64_t stage = api_->CreateStage(branch, "s", Json{{"parent", "root"}, {"jobs", Json::array()}});
  ExpectTooDeep(api_->CallRaw("POST", "/api/v1/stages/" + std::to_string(stage) + "/check-schema",
                              R"({"schema": {"jobs": )" + Nested(20'000) + "}}"));
  // Indenting multiplies a dict's size by its depth: a large one is refused before that, by
  // the request body limit (1 MiB) before the body is even read.
  auto [status, reply] =
      api_->Call("POST", "/api/v1/stages/" + std::to_string(stage) + "/check-schema",
                 Json{{"schema", {{"jobs", Json::array()}, {"x", std::string(1 << 20, 'x')}}}});
  EXPECT_EQ(status, 413) << reply.dump().substr(0, 300);
  EXPECT_EQ(reply["error"]["code"], "too_large");
  EXPECT_EQ(reply["error"]["message"],
            "the request body is larger than the limit of 1048576 bytes");
  std::tie(status, reply) = api_->Call("GET", "/api/v1/health");
  EXPECT_EQ(status, 200) << reply.dump();
}

}  // namespace
}  // namespace kraken::e2e
