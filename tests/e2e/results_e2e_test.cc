// End to end: the step tools through a real agent (git from a local `git daemon`, pytest,
// go test, JUnit files, metric files, random results, artifacts, caches, data), results
// streamed to the server, analysed across flows, compared, commented; and `kraken tool run`.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

namespace fs = std::filesystem;

int Sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A repository with a pytest suite, a Go module, a JUnit report and a metrics file.
void MakeRepo(const fs::path& repo, bool second_version) {
  Write(repo / "tests/test_sample.py",
        std::string("import pytest\n\ndef test_ok():\n    assert ") +
            (second_version ? "False" : "True") + "\n\ndef test_bad():\n    assert " +
            (second_version ? "True" : "1 == 2") +
            "\n\n@pytest.mark.skip(reason='later')\ndef test_skip():\n    pass\n");
  Write(repo / "gomod/go.mod", "module example.com/m\n\ngo 1.19\n");
  Write(repo / "gomod/m_test.go",
        "package m\n\nimport \"testing\"\n\nfunc TestPass(t *testing.T) {}\n"
        "func TestFail(t *testing.T) { t.Fatal(\"boom\") }\n"
        "func TestSkip(t *testing.T) { t.Skip(\"no\") }\n");
  Write(repo / "reports/report.xml",
        "<testsuite><testcase classname=\"suite\" name=\"alpha\"/>"
        "<testcase classname=\"suite\" name=\"beta\"><failure "
        "message=\"nope\"/></testcase></testsuite>\n");
  Write(repo / "metrics.json", "{\"speed\": 12.5, \"mem\": {\"value\": 100, \"stddev\": 2}}\n");
}

class ResultsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("results");
    // Go offline, with its caches in the test's directory.
    setenv("GOCACHE", (dir_ + "/gocache").c_str(), 1);
    setenv("GOPATH", (dir_ + "/gopath").c_str(), 1);
    setenv("GOFLAGS", "-mod=mod", 1);
    setenv("GO111MODULE", "on", 1);
    setenv("GOPROXY", "off", 1);
    setenv("GOTOOLCHAIN", "local", 1);
  }
  void TearDown() override {
    agent_.reset();
    server_.reset();
    if (daemon_pid_ > 0) {
      kill(daemon_pid_, SIGTERM);
      waitpid(daemon_pid_, nullptr, 0);
    }
    if (!HasFailure() && !dir_.empty()) fs::remove_all(dir_);
  }
  void Boot() {
    server_ = std::make_unique<ServerProcess>(dir_ + "/server");
    server_->Start();
    api_ = std::make_unique<Api>(server_->url());
    api_->Login();
    agent_ = std::make_unique<AgentProcess>(server_->url(), dir_ + "/agent",
                                            api_->RegistrationToken(), "a1");
    agent_->Start();
    api_->WaitAgents(1);
  }
  // Serves dir_/git/* over git:// on loopback.
  std::string StartGitDaemon() {
    int port = FreePort();
    daemon_pid_ = fork();
    if (daemon_pid_ == 0) {
      std::string base = "--base-path=" + dir_ + "/git", p = "--port=" + std::to_string(port);
      execlp("git", "git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", p.c_str(),
             base.c_str(), (dir_ + "/git").c_str(), (char*)nullptr);
      _exit(127);
    }
    std::string url = "git://127.0.0.1:" + std::to_string(port) + "/repo";
    EXPECT_TRUE(WaitFor([&] { return Sh("git ls-remote " + url + " >/dev/null 2>&1") == 0; },
                        std::chrono::seconds(10)));
    return url;
  }
  Json RunOf(const Json& flow, const std::string& stage) {
    for (const auto& r : flow["runs"])
      if (r["stage_name"] == stage) return r;
    return nullptr;
  }
  Json WaitProcessed(int64_t flow_id) {
    Json flow;
    EXPECT_TRUE(WaitFor(
        [&] {
          flow = api_->Ok("GET", "/api/v1/flows/" + std::to_string(flow_id));
          if (flow["state"] != "completed") return false;
          for (const auto& r : flow["runs"])
            if (r["state"] != "processed") return false;
          return true;
        },
        std::chrono::seconds(120)))
        << flow.dump(1);
    return api_->FlowWithJobs(flow_id);  // runs with their jobs and test counters
  }
  Json Results(int64_t run, const std::string& query) {
    return api_->Ok("GET", "/api/v1/runs/" + std::to_string(run) + "/results?limit=500&" + query);
  }
  static Json ByTest(const Json& page, const std::string& test) {
    for (const auto& r : page["items"])
      if (r["test"] == test) return r;
    ADD_FAILURE() << test << " missing from " << page.dump(1);
    return Json::object();
  }

  std::string dir_;
  pid_t daemon_pid_ = 0;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<AgentProcess> agent_;
};

TEST_F(ResultsE2E, ToolsReportResultsThatAreAnalysedAcrossFlows) {
  fs::path repo = fs::path(dir_) / "git/repo";
  MakeRepo(repo, false);
  ASSERT_EQ(Sh("cd " + repo.string() +
               " && git init -q -b main && git add -A && "
               "git -c user.email=t@t -c user.name=t commit -qm one"),
            0);
  std::string url = StartGitDaemon();
  Boot();

  Json steps = Json::array(
      {{{"tool", "cache"}, {"action", "restore"}, {"keys", {"built"}}},
       // The second flow finds what the first one cached.
       ShellStep("if [ \"$KK_FLOW_SEQ\" = 2 ]; then grep -q flow1 built/marker; fi; "
                 "mkdir -p built && echo flow$KK_FLOW_SEQ > built/marker"),
       {{"tool", "git"}, {"checkout", url}, {"branch", "main"}, {"destination", "src"}},
       {{"tool", "pytest"}, {"cwd", "src"}, {"params", "tests"}},
       {{"tool", "gotest"}, {"cwd", "src/gomod"}},
       {{"tool", "junit_collect"}, {"cwd", "src"}, {"file_glob", "reports/*.xml"}},
       {{"tool", "values_collect"},
        {"cwd", "src"},
        {"files", Json::array({Json{{"name", "metrics.json"}}})}},
       {{"tool", "rndtest"}, {"count", 40}},
       {{"tool", "artifacts"}, {"cwd", "src"}, {"source", "reports/**"}, {"public", true}},
       {{"tool", "cache"}, {"action", "save"}, {"key", "built"}, {"paths", {"built"}}},
       {{"tool", "data"}, {"value", {{"x", 1}}}, {"json_pointer", "/build"}}});
  int64_t branch = api_->CreateBranch("proj", "main");
  api_->CreateStage(
      branch, "tests",
      Json{{"parent", "root"},
           {"triggers", {{"parent", true}}},
           {"jobs", {{{"name", "unit"}, {"steps", steps}, {"environments", AnyEnvironment()}}}}});
  api_->CreateStage(branch, "downstream",
                    Json{{"parent", "tests"},
                         {"triggers", {{"parent", true}}},
                         {"jobs",
                          {{{"name", "use"},
                            {"steps", Json::array({{{"tool", "artifacts"},
                                                    {"action", "download"},
                                                    {"source", {"reports/report.xml"}}},
                                                   ShellStep("grep -q alpha reports/report.xml")})},
                            {"environments", AnyEnvironment()}}}}});

  // Flow 1: every tool reports; the downstream stage fetches the artifact.
  int64_t f1 = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                        Json{{"kind", "ci"}})["id"];
  Json flow1 = WaitProcessed(f1);
  for (const auto& run : flow1["runs"])
    for (const auto& job : run["jobs"])
      EXPECT_EQ(job["completion_status"], "ok")
          << api_->Text("/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/log");
  int64_t run1 = RunOf(flow1, "tests")["id"];
  Json all1 = Results(run1, "");
  EXPECT_EQ(all1["total"], 3 + 3 + 2 + 1 + 40);
  EXPECT_EQ(all1["counters"]["total"], 49);
  EXPECT_EQ(all1["counters"]["new"], 49);
  EXPECT_EQ(ByTest(all1, "tests.test_sample::test_bad")["status"], "failed")
      << "a failing test is failed, not error";
  EXPECT_EQ(ByTest(all1, "tests.test_sample::test_skip")["status"], "disabled");
  EXPECT_EQ(ByTest(all1, "example.com/m::TestFail")["status"], "failed");
  EXPECT_EQ(ByTest(all1, "example.com/m::TestSkip")["status"], "disabled");
  EXPECT_EQ(ByTest(all1, "suite::beta")["status"], "failed");
  EXPECT_EQ(ByTest(all1, "metrics")["values"]["mem"]["stddev"], 2);
  EXPECT_TRUE(ByTest(all1, "tests.test_sample::test_ok")["cmd"].get<std::string>().find(
                  "-k 'test_ok'") != std::string::npos);
  Json failed = Results(run1, "status=failed&name=test_sample");
  EXPECT_EQ(failed["total"], 1);
  EXPECT_EQ(flow1["data"]["build"]["x"], 1);

  Json arts = api_->Ok("GET", "/api/v1/runs/" + std::to_string(run1) + "/artifacts");
  ASSERT_EQ(arts["items"].size(), 1u) << arts.dump();
  EXPECT_EQ(arts["items"][0]["path"], "reports/report.xml");
  EXPECT_EQ(api_->Text("/api/v1/artifacts/" +
                       std::to_string(arts["items"][0]["id"].get<int64_t>()) + "/download"),
            Slurp((repo / "reports/report.xml").string()));

  // A comment that names the root cause of TestFail carries over to the next result.
  int64_t gofail1 = ByTest(all1, "example.com/m::TestFail")["id"];
  api_->Ok("POST", "/api/v1/results/" + std::to_string(gofail1) + "/comments",
           Json{{"text", "flaky network"}, {"state", "bug-in-test"}});
  auto [bad_status, bad_body] =
      api_->Call("POST", "/api/v1/results/" + std::to_string(gofail1) + "/comments",
                 Json{{"text", "x"}, {"state", "maybe"}});
  EXPECT_EQ(bad_status, 400);
  EXPECT_EQ(bad_body["error"]["field"], "state");

  // Flow 2: test_ok now fails and test_bad passes; the mirror fetches the new commit.
  MakeRepo(repo, true);
  ASSERT_EQ(Sh("cd " + repo.string() + " && git -c user.email=t@t -c user.name=t commit -qam two"),
            0);
  int64_t f2 = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                        Json{{"kind", "ci"}})["id"];
  Json flow2 = WaitProcessed(f2);
  int64_t run2 = RunOf(flow2, "tests")["id"];
  int64_t job2 = RunOf(flow2, "tests")["jobs"][0]["id"];
  EXPECT_EQ(RunOf(flow2, "tests")["jobs"][0]["completion_status"], "ok")
      << api_->Text("/api/v1/jobs/" + std::to_string(job2) + "/log");
  std::string log2 = api_->Text("/api/v1/jobs/" + std::to_string(job2) + "/log");
  EXPECT_NE(log2.find("updating the mirror"), std::string::npos) << log2;
  Json regressions = Results(run2, "change=regression&name=test_sample");
  ASSERT_EQ(regressions["total"], 1) << regressions.dump(1);
  EXPECT_EQ(regressions["items"][0]["test"], "tests.test_sample::test_ok");
  Json fixes = Results(run2, "change=fix&name=test_sample");
  ASSERT_EQ(fixes["total"], 1);
  EXPECT_EQ(fixes["items"][0]["test"], "tests.test_sample::test_bad");
  Json all2 = Results(run2, "");
  Json gofail2 = ByTest(all2, "example.com/m::TestFail");
  EXPECT_EQ(gofail2["change"], "no-change");
  EXPECT_EQ(gofail2["age"], 2);
  Json detail = api_->Ok("GET", "/api/v1/results/" + std::to_string(gofail2["id"].get<int64_t>()));
  ASSERT_TRUE(detail["comment"].is_object()) << detail.dump(1);
  EXPECT_EQ(detail["comment"]["state"], "bug-in-test");
  EXPECT_EQ(detail["comment"]["entries"][0]["text"], "flaky network");
  Json history = api_->Ok(
      "GET", "/api/v1/results/" + std::to_string(gofail2["id"].get<int64_t>()) + "/history");
  EXPECT_EQ(history["total"], 2);
  EXPECT_GE(RunOf(flow2, "tests")["tests"]["regressions"].get<int>(), 1);
  EXPECT_GE(RunOf(flow2, "tests")["tests"]["fixes"].get<int>(), 1);

  // Comparing the two flows groups the differences.
  Json cmp = api_->Ok(
      "GET", "/api/v1/flows/" + std::to_string(f1) + "/compare?with=" + std::to_string(f2));
  bool found_regression = false, found_fix = false;
  for (const auto& e : cmp["groups"]["regressions"])
    found_regression |= e["test"] == "tests.test_sample::test_ok";
  for (const auto& e : cmp["groups"]["fixes"])
    found_fix |= e["test"] == "tests.test_sample::test_bad";
  EXPECT_TRUE(found_regression) << cmp.dump(1);
  EXPECT_TRUE(found_fix);

  // A DEV flow compares with the branch's latest CI results.
  int64_t f3 = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                        Json{{"kind", "dev"}})["id"];
  Json flow3 = WaitProcessed(f3);
  Json dev_ok =
      ByTest(Results(RunOf(flow3, "tests")["id"], "name=test_ok"), "tests.test_sample::test_ok");
  EXPECT_EQ(dev_ok["change"], "no-change");
  EXPECT_EQ(dev_ok["age"], 2);
}

TEST_F(ResultsE2E, ToolRunPrintsJsonLinesAndNamesBrokenReports) {
  fs::path work = fs::path(dir_) / "work";
  MakeRepo(work, false);
  Write(work / "broken/bad.xml", "<testsuite>\n<testcase name=\"x\">\n</testsuite>\n");
  std::string out = dir_ + "/out.jsonl", err = dir_ + "/err.txt";
  int rc = Sh(std::string(KRAKEN_BIN) + " tool run pytest --cwd " + work.string() +
              " params=tests >" + out + " 2>" + err);
  EXPECT_EQ(rc, 0) << Slurp(err);
  int lines = 0, failed = 0;
  std::ifstream in(out);
  for (std::string line; std::getline(in, line);) {
    Json j = Json::parse(line);
    EXPECT_EQ(j["kind"], "result");
    ++lines;
    if (j["status_name"] == "failed") ++failed;
  }
  EXPECT_EQ(lines, 3);
  EXPECT_EQ(failed, 1);
  rc = Sh(std::string(KRAKEN_BIN) + " tool run junit_collect --cwd " + work.string() +
          " file_glob='**/*.xml' >" + out + " 2>" + err);
  EXPECT_NE(rc, 0);
  EXPECT_NE(Slurp(err).find("broken/bad.xml:3:"), std::string::npos) << Slurp(err);
  EXPECT_NE(Slurp(out).find("suite::alpha"), std::string::npos) << "the good report is still read";
  rc = Sh(std::string(KRAKEN_BIN) + " tool run nosuchtool >/dev/null 2>&1");
  EXPECT_EQ(rc, 2);
}

}  // namespace
}  // namespace kraken::e2e
