// End to end: a Starlark stage saved through the API is re-evaluated at each run start, so
// its job list follows the flow's kind and arguments; `#{...}` fields, `when` expressions,
// configs and step retries reach the real agent.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "tests/e2e/harness.h"
#include "workflow/kraken_examples.h"

namespace kraken::e2e {
namespace {

const char* kStage = R"(CONFIGS = [{"name": "small", "SIZE": "s"}, {"name": "big", "SIZE": "b"}]

def stage(ctx):
    jobs = [{
        "name": "always",
        "steps": [
            {"tool": "shell", "cmd": "echo count=#{COUNT} seq=#{flow.seq.own} size=$SIZE"},
            {"tool": "shell", "cmd": "echo #{config.SIZE}-#{step.index}", "when": "prev_ok and job.steps[0].result.status == 'done'"},
            {"tool": "shell", "cmd": "test -f marker || { touch marker; exit 1; }", "attempts": 2},
            {"tool": "shell", "cmd": "echo #{env.NOPE}"},
        ],
        "environments": [{"system": "any", "agents_group": "all", "config": ["small", "big"]}],
    }]
    if ctx.flow != None and ctx.flow.kind == "dev":
        jobs.append({"name": "dev only", "steps": [{"tool": "shell", "cmd": "true"}],
                     "environments": [{"system": "any", "agents_group": "all"}]})
    if ctx.flow != None:
        for n in range(int(ctx.args.EXTRA)):
            jobs.append({"name": "extra %d" % n, "steps": [{"tool": "shell", "cmd": "true"}],
                         "environments": [{"system": "any", "agents_group": "all"}]})
    return {"parent": "root", "triggers": {"parent": True}, "configs": CONFIGS,
            "run_label": "r-#{KK_FLOW_SEQ}",
            "parameters": [{"name": "COUNT", "default": "7"}, {"name": "EXTRA", "default": "0"}],
            "jobs": jobs}
)";

class SchemaE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("schema");
    server_ = std::make_unique<ServerProcess>(dir_);
    server_->Start();
    api_ = std::make_unique<Api>(server_->url());
    api_->Login();
    agent_ = std::make_unique<AgentProcess>(server_->url(), dir_ + "/agent1",
                                            api_->RegistrationToken(), "agent-1");
    agent_->Start();
    api_->WaitAgents(1);
  }
  void TearDown() override {
    agent_.reset();
    server_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  int64_t StartFlow(int64_t branch, const std::string& kind, const Json& args) {
    return api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                    Json{{"kind", kind}, {"args", args}})["id"];
  }
  std::set<std::string> JobNames(const Json& flow) {
    std::set<std::string> out;
    for (const auto& run : flow["runs"])
      for (const auto& job : run["jobs"]) out.insert(job["name"].get<std::string>());
    return out;
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<AgentProcess> agent_;
  std::unique_ptr<Api> api_;
};

TEST_F(SchemaE2E, StarlarkStageJobsFollowFlowKindAndArgs) {
  int64_t branch = api_->CreateBranch("p", "main");
  Json stage = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/stages",
                        Json{{"name", "build"}, {"schema_code", kStage}});
  EXPECT_EQ(stage["schema_format"], "starlark");
  // Evaluated at save with flow = None: only the config matrix of "always".
  EXPECT_EQ(stage["schema"]["jobs"].size(), 1u);

  Json ci = api_->WaitFlowCompleted(StartFlow(branch, "ci", Json::object()));
  EXPECT_EQ(JobNames(ci), (std::set<std::string>{"always [small]", "always [big]"}));
  EXPECT_EQ(ci["runs"][0]["label"], "r-1");
  Json dev = api_->WaitFlowCompleted(StartFlow(branch, "dev", Json{{"EXTRA", "2"}}));
  EXPECT_EQ(JobNames(dev), (std::set<std::string>{"always [small]", "always [big]", "dev only",
                                                  "extra 0", "extra 1"}));

  // The steps of one job: interpolated fields, a `when` over job.steps, a retried step, and
  // an expression error reported on its step.
  for (const auto& job : ci["runs"][0]["jobs"]) {
    std::string id = std::to_string(job["id"].get<int64_t>());
    Json steps = api_->Ok("GET", "/api/v1/jobs/" + id + "/steps");
    std::string size = job["name"] == "always [small]" ? "s" : "b";
    EXPECT_EQ(steps[0]["fields"]["cmd"], "echo count=7 seq=1 size=$SIZE");
    EXPECT_EQ(steps[1]["fields"]["cmd"], "echo " + size + "-1");
    EXPECT_EQ(steps[2]["status"], "done") << steps[2].dump();
    EXPECT_EQ(steps[3]["status"], "error");
    EXPECT_EQ(steps[3]["reason"], "bad-expression");
    EXPECT_NE(steps[3]["message"].get<std::string>().find("NOPE"), std::string::npos);
    std::string log = api_->Text("/api/v1/jobs/" + id + "/log");
    EXPECT_NE(log.find("count=7 seq=1 size=" + size + "\n" + size + "-1\n"), std::string::npos)
        << log;
    EXPECT_NE(log.find("attempt 1 of 2 failed"), std::string::npos) << log;
  }
}

TEST_F(SchemaE2E, CheckSchemaAndSaveReportLineAndColumn) {
  int64_t branch = api_->CreateBranch("p", "main");
  Json stage = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/stages",
                        Json{{"name", "s"}, {"schema_code", kStage}});
  std::string check =
      "/api/v1/stages/" + std::to_string(stage["id"].get<int64_t>()) + "/check-schema";
  auto [ok, body] =
      api_->Call("POST", check, Json{{"schema_code", "jobs: []\n"}, {"schema_format", "yaml"}});
  EXPECT_EQ(ok, 200);
  EXPECT_EQ(body["schema"]["parent"], "root");
  auto [bad, err] =
      api_->Call("POST", check,
                 Json{{"schema_code", "def stage(ctx):\n    return {'jobs': ctx.nope}\n"},
                      {"schema_format", "starlark"}});
  EXPECT_EQ(bad, 400);
  EXPECT_EQ(err["error"]["line"], 2);
  EXPECT_EQ(err["error"]["column"], 24);  // the `.` of `.nope`
  EXPECT_EQ(err["error"]["field"], "schema_code");
  auto [bad2, err2] = api_->Call(
      "POST", check,
      Json{
          {"schema_code",
           R"({"jobs": [{"name": "a", "steps": [{"tool": "shell", "cmdd": "x"}], "environments": [{"system": "any", "agents_group": "all"}]}]})"}});
  EXPECT_EQ(bad2, 400);
  EXPECT_EQ(err2["error"]["field"], "schema.jobs[0].steps[0].cmdd");
  EXPECT_EQ(err2["error"]["message"], "unknown field (did you mean \"cmd\"?)");
  // A bad update leaves the stage as it was.
  auto [put, _] = api_->Call("PUT", "/api/v1/stages/" + std::to_string(stage["id"].get<int64_t>()),
                             Json{{"schema_code", "def stage(ctx):\n  return {'jobs': 1}\n"}});
  EXPECT_EQ(put, 400);
  EXPECT_EQ(api_->Ok("GET",
                     "/api/v1/stages/" + std::to_string(stage["id"].get<int64_t>()))["schema_code"],
            kStage);
  Json schema = api_->Ok("GET", "/api/v1/workflow-schema");
  EXPECT_TRUE(schema["definitions"].contains("tool_pylint"));
  Json sched =
      api_->Ok("GET", "/api/v1/stages/" + std::to_string(stage["id"].get<int64_t>()) + "/schedule");
  EXPECT_EQ(sched["time_zone"], "UTC");
}

// Kraken CI's example schemas save unchanged (the dynamic one reads flow data that exists
// only at run time), and at run time the fan-out follows the data the parent stage stored.
TEST_F(SchemaE2E, KrakenCiExamplesSaveUnchangedAndFanOutAtRunTime) {
  int64_t branch = api_->CreateBranch("p", "main");
  std::string stages = "/api/v1/branches/" + std::to_string(branch) + "/stages";
  const char* prepare = R"(def stage(ctx):
    return {"parent": "root", "triggers": {"parent": True}, "jobs": [{
        "name": "prepare",
        "steps": [{"tool": "data", "value": {"tests": ["unit", "api"], "systems": "any"}}],
        "environments": [{"system": "any", "agents_group": "all", "config": "default"}]}]}
)";
  api_->Ok("POST", stages, Json{{"name", "Prepare Testing"}, {"schema_code", prepare}});
  api_->Ok(
      "POST", stages,
      Json{{"name", "upload"}, {"schema_code", workflow::kExampleParameters}, {"enabled", false}});
  Json child = api_->Ok(
      "POST", stages,
      Json{{"name", "consume"}, {"schema_code", workflow::kExampleChildStage}, {"enabled", false}});
  EXPECT_EQ(child["schema"]["flow_label"], "bld-#{flow.seq.own}");
  Json tests = api_->Ok("POST", stages,
                        Json{{"name", "tests"}, {"schema_code", workflow::kExampleDynamicFanOut}});
  EXPECT_EQ(tests["schema_code"], workflow::kExampleDynamicFanOut);
  ASSERT_EQ(tests["schema"]["jobs"].size(), 1u);
  EXPECT_EQ(tests["schema"]["jobs"][0]["name"], "tests scope-default");

  // The jobs of "tests" use the docker executor: their names are what matters here.
  Json flow = api_->WaitFlow(StartFlow(branch, "ci", Json::object()),
                             [this](const Json& f) { return JobNames(f).count("tests unit") > 0; });
  std::set<std::string> names = JobNames(flow);
  EXPECT_TRUE(names.count("tests unit") && names.count("tests api")) << flow.dump();
  EXPECT_FALSE(names.count("tests scope-default")) << flow.dump();
}

std::string LongChain(int terms) {
  std::string chain = "1";
  for (int i = 1; i < terms; ++i) chain += "+1";
  return chain;
}

// A 30,000-term `#{1+1+...}` (58 KiB) used to save and then crash the server at every agent
// poll: the parser refuses it, the step fails with a message, and the server stays up.
TEST_F(SchemaE2E, AnOverlongExpressionFailsItsStepAndTheServerStaysUp) {
  int64_t branch = api_->CreateBranch("p", "main");
  std::string chain = LongChain(30'000);
  Json jobs = Json::array(
      {Json{{"name", "deep"},
            {"steps", Json::array({ShellStep("echo #{" + chain + "}"), ShellStep("true")})},
            {"environments", AnyEnvironment()}}});
  int64_t stage = api_->CreateStage(branch, "deep", Json{{"jobs", jobs}});
  for (int attempt = 0; attempt < 2; ++attempt) {  // the agent polls again after the first flow
    Json flow = api_->WaitFlowCompleted(StartFlow(branch, "ci", Json::object()));
    ASSERT_EQ(flow["runs"][0]["jobs"].size(), 1u) << flow.dump().substr(0, 500);
    std::string job = std::to_string(flow["runs"][0]["jobs"][0]["id"].get<int64_t>());
    Json steps = api_->Ok("GET", "/api/v1/jobs/" + job + "/steps");
    EXPECT_EQ(steps[0]["status"], "error");
    EXPECT_EQ(steps[0]["reason"], "bad-expression");
    std::string message = steps[0]["message"];
    EXPECT_NE(message.find("nesting too deep"), std::string::npos) << message;
    EXPECT_NE(message.find("column"), std::string::npos) << message;
    EXPECT_LT(message.size(), 400u) << message;
  }
  // The same expression in Starlark code is refused by check-schema, with its position.
  std::string check = "/api/v1/stages/" + std::to_string(stage) + "/check-schema";
  auto [status, err] =
      api_->Call("POST", check,
                 Json{{"schema_code", "def stage(ctx):\n    return {'x': " + chain + "}\n"},
                      {"schema_format", "starlark"}});
  EXPECT_EQ(status, 400) << err.dump().substr(0, 500);
  EXPECT_EQ(err["error"]["line"], 2);
  EXPECT_GT(err["error"]["column"].get<int>(), 17);
  EXPECT_NE(err["error"]["message"].get<std::string>().find("nesting too deep"), std::string::npos);
  EXPECT_EQ(api_->Call("GET", "/api/v1/health").first, 200);
}

// Runs `kraken schema check FILE` and returns its exit code and standard output.
std::pair<int, std::string> SchemaCheck(const std::string& file) {
  std::string command = std::string(KRAKEN_BIN) + " schema check '" + file + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while (pipe != nullptr && (n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = pipe == nullptr ? -1 : pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// A returned string that is not valid UTF-8 (a byte of "é") used to abort the command.
TEST(SchemaCheckCommand, PrintsInvalidUtf8AsReplacementCharacters) {
  std::string dir = TempDir("schema-check");
  std::string file = dir + "/stage.star";
  std::ofstream(file)
      << "def stage(ctx):\n    return {'jobs': [], 'run_label': 'é'[0] + chr(0xD800)}\n";
  auto [code, out] = SchemaCheck(file);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("\"run_label\": \"\xEF\xBF\xBD\xEF\xBF\xBD\""), std::string::npos) << out;
  std::ofstream(file) << "def stage(ctx):\n    return {'jobs': [], 'x': " << LongChain(30'000)
                      << "}\n";
  std::tie(code, out) = SchemaCheck(file);
  EXPECT_EQ(code, 1) << out.substr(0, 300);
  EXPECT_NE(out.find("stage.star:2:"), std::string::npos) << out.substr(0, 300);
  EXPECT_NE(out.find("nesting too deep"), std::string::npos) << out.substr(0, 300);
}

}  // namespace
}  // namespace kraken::e2e
