// End to end: a project secret stored through the API reaches the real agent inside the
// step's fields, and shows as ****** everywhere a person can see it: the secrets API, the
// stage and run schemas, the step fields and the job log (even when the step prints the
// value in pieces).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

constexpr const char* kValue = "Sup3rS3cretValue";

const char* kStage = R"(def stage(ctx):
    split = "v='#{secrets.gh}'; printf '%s' \"$(echo $v | cut -c1-5)\"; sleep 0.5; echo \"$v\" | cut -c6-"
    return {"parent": "root", "triggers": {"parent": True}, "jobs": [{
        "name": "uses secrets",
        "steps": [
            {"tool": "shell", "cmd": "echo token=#{secrets.gh} legacy=#{KK_SECRET_SIMPLE_gh} user=#{secrets.deploy.user}"},
            {"tool": "shell", "cmd": "echo from-code=" + ctx.secrets.gh},
            {"tool": "shell", "cmd": split},
            {"tool": "shell", "cmd": "[ '#{secrets.gh}' = \"$(printf 'Sup3r%s' S3cretValue)\" ] && echo real-value-delivered"},
        ],
        "environments": [{"system": "any", "agents_group": "all"}]}]}
)";

TEST(SecretsE2E, SecretReachesTheAgentAndIsMaskedEverywhere) {
  std::string dir = TempDir("secrets");
  SingleAgentSystem sys(dir);
  Api& api = *sys.api;

  int64_t branch = api.CreateBranch("p", "main");
  int64_t project = ProjectOf(api, branch);
  std::string secrets = "/api/v1/projects/" + std::to_string(project) + "/secrets";
  Json gh = api.Ok("POST", secrets, Json{{"name", "gh"}, {"kind", "simple"}, {"secret", kValue}});
  EXPECT_EQ(gh["name"], "gh");
  api.Ok(
      "POST", secrets,
      Json{{"name", "deploy"}, {"kind", "ssh-key"}, {"username", "deployer-user"}, {"key", "KEY"}});
  auto [dup, dup_body] =
      api.Call("POST", secrets, Json{{"name", "gh"}, {"kind", "simple"}, {"secret", "x"}});
  EXPECT_EQ(dup, 409);
  auto [bad, bad_body] =
      api.Call("POST", secrets, Json{{"name", "no spaces"}, {"kind", "simple"}, {"secret", "x"}});
  EXPECT_EQ(bad, 400);
  EXPECT_EQ(bad_body["error"]["field"], "name");
  Json listed = api.Ok("GET", secrets);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed.dump().find(kValue), std::string::npos);

  Json stage = api.Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/stages",
                      Json{{"name", "s"}, {"schema_code", kStage}});
  EXPECT_EQ(stage.dump().find(kValue), std::string::npos);
  int64_t flow_id = api.Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                           Json{{"kind", "ci"}})["id"];
  Json flow = api.WaitFlowCompleted(flow_id);
  EXPECT_EQ(flow.dump().find(kValue), std::string::npos);
  ASSERT_EQ(flow["runs"][0]["jobs"].size(), 1u);
  std::string job = std::to_string(flow["runs"][0]["jobs"][0]["id"].get<int64_t>());
  Json steps = api.Ok("GET", "/api/v1/jobs/" + job + "/steps");
  EXPECT_EQ(steps.dump().find(kValue), std::string::npos) << steps.dump();
  EXPECT_EQ(steps[0]["fields"]["cmd"], "echo token=****** legacy=****** user=******");
  for (const auto& s : steps) EXPECT_EQ(s["status"], "done") << s.dump();
  std::string log = api.Text("/api/v1/jobs/" + job + "/log");
  EXPECT_EQ(log.find(kValue), std::string::npos) << log;
  EXPECT_EQ(log.find("S3cret"), std::string::npos) << log;  // nor its pieces joined up
  EXPECT_NE(log.find("token=****** legacy=****** user=******"), std::string::npos) << log;
  EXPECT_NE(log.find("from-code=******"), std::string::npos) << log;
  EXPECT_NE(log.find("real-value-delivered"), std::string::npos) << log;

  // A deleted secret is gone.
  auto [del, _] = api.Call("DELETE", "/api/v1/secrets/" + std::to_string(gh["id"].get<int64_t>()));
  EXPECT_EQ(del, 200);
  EXPECT_EQ(api.Ok("GET", secrets).size(), 1u);
  sys.agent.reset();
  sys.server.reset();
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kraken::e2e
