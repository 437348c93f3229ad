// End to end: the tutorial "Autoscaling CI with Kraken CI" automated against the EC2
// emulator. A real server, a real `kraken ec2-emulator` whose instances boot their user
// data (download the agent from the server, check it, register with the one-time token),
// and only public APIs: Kraken's REST API and the emulator's EC2 and admin APIs.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "cloud/aws/curl_transport.h"
#include "cloud/aws/ec2_client.h"
#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAccessKey = "AKIAE2ETEST000000001";
constexpr const char* kSecret = "e2e-secret/key+with=odd/chars";
constexpr const char* kAmi = "ami-0123456789abcdef0";

class Ec2E2E : public ::testing::Test {
 protected:
  void SetUp() override {
    // As root the instances boot the tutorial's AMI from a stock Debian 11 root filesystem
    // (tests/rootfs), with nothing of the host's /usr: the agent must bring all it needs.
    const std::string debian = std::string(KRAKEN_ROOTFS_DIR) + "/debian11";
    const bool rooted = geteuid() == 0;
    if (rooted && !std::filesystem::exists(debian + "/.complete"))
      GTEST_SKIP() << debian
                   << " was not made (the rootfs_debian11 fixture skipped: see its output)";
    dir_ = TempDir("ec2");
    emu_port_ = FreePort();
    emu_pid_ = fork();
    if (emu_pid_ == 0) {
      std::string log = dir_ + "/emulator.log";
      freopen(log.c_str(), "w", stdout);
      dup2(fileno(stdout), 2);
      std::string port = std::to_string(emu_port_), work = dir_ + "/instances";
      std::string image = std::string(kAmi) + "=" + debian;
      if (rooted)
        execl(KRAKEN_BIN, KRAKEN_BIN, "ec2-emulator", "--port", port.c_str(), "--access-key",
              kAccessKey, "--secret-key", kSecret, "--work-dir", work.c_str(), "--shutdown-ms",
              "100", "--boot-mode", "netns", "--image", image.c_str(), static_cast<char*>(nullptr));
      else
        execl(KRAKEN_BIN, KRAKEN_BIN, "ec2-emulator", "--port", port.c_str(), "--access-key",
              kAccessKey, "--secret-key", kSecret, "--work-dir", work.c_str(), "--shutdown-ms",
              "100", static_cast<char*>(nullptr));
      _exit(127);
    }
    emu_ = std::make_unique<Api>(EmulatorUrl());
    ASSERT_TRUE(WaitFor([&] { return emu_->Call("GET", "/_emulator/stats").first == 200; }, 10s));
    server_ = std::make_unique<ServerProcess>(
        dir_, "", std::vector<std::string>{"--autoscale-sweep-ms", "1000"});
    server_->Start();
    api_ = std::make_unique<Api>(server_->url());
    api_->Login();
  }
  void TearDown() override {
    if (dir_.empty()) return;  // skipped
    server_.reset();
    if (emu_pid_ > 0) {
      kill(emu_pid_, SIGTERM);
      waitpid(emu_pid_, nullptr, 0);
    }
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  std::string EmulatorUrl() const { return "http://127.0.0.1:" + std::to_string(emu_port_); }

  // Settings → Cloud, then the group of the tutorial.
  void SaveKeysAndCreateGroup(int64_t limit = 2) {
    api_->Ok("PUT", "/api/v1/settings/cloud/aws",
             Json{{"access_key", kAccessKey},
                  {"secret_access_key", kSecret},
                  {"endpoint", EmulatorUrl()},
                  {"region", "us-east-1"}});
    Json g = api_->Ok("POST", "/api/v1/groups",
                      Json{{"name", "aws-t2-micro"},
                           {"deployment",
                            {{"method", "aws_ec2"},
                             {"region", "us-east-1"},
                             {"instances_limit", limit},
                             {"default_ami", kAmi},
                             {"instance_type", "t2.micro"},
                             {"spot", false},
                             {"monitoring", false},
                             {"cpu_credits_unlimited", false},
                             {"disk_size_gb", 8},
                             {"destroy_after_jobs", 1},
                             {"destroy_after_idle_minutes", 10}}}});
    group_ = g["id"];
  }
  // A flow of one stage with `jobs` copies of the tutorial's job.
  int64_t RunTutorialFlow(int jobs) {
    int64_t branch = api_->CreateBranch("tutorial", "main");
    Json list = Json::array();
    for (int i = 0; i < jobs; ++i)
      list.push_back(
          {{"name", jobs == 1 ? "hello" : "hello-" + std::to_string(i)},
           {"timeout", 500},
           {"steps", Json::array({Json{{"tool", "shell"}, {"cmd", "echo 'hello world'"}}})},
           {"environments",
            Json::array({Json{
                {"system", kAmi}, {"agents_group", "aws-t2-micro"}, {"config", "default"}}})}});
    api_->CreateStage(branch, "tutorial",
                      Json{{"parent", "root"}, {"triggers", {{"parent", true}}}, {"jobs", list}});
    Json f = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                      Json{{"kind", "ci"}});
    return f["id"];
  }
  Json Instances() { return emu_->Ok("GET", "/_emulator/instances"); }
  // What the instances printed and their agents logged, for a failure's message.
  std::string Consoles() {
    std::string out;
    for (const Json& i : Instances()) {
      std::string id = i["instance_id"];
      out += "--- " + id + " console:\n" + emu_->Text("/_emulator/instances/" + id + "/console");
      // On the host's file system, or in the writable layer over a root filesystem.
      for (const char* layer : {"/fs", "/upper"}) {
        std::ifstream log(dir_ + "/instances/" + id + layer + "/var/log/kraken-agent.log");
        if (log) out += "--- agent log:\n" + std::string(std::istreambuf_iterator<char>(log), {});
      }
    }
    return out;
  }
  Json Stats() { return emu_->Ok("GET", "/_emulator/stats"); }
  bool AllTerminated(size_t expected) {
    Json all = Instances();
    if (all.size() != expected) return false;
    for (const Json& i : all)
      if (i["state"] != "terminated") return false;
    return true;
  }

  std::string dir_;
  int emu_port_ = 0;
  pid_t emu_pid_ = 0;
  std::unique_ptr<Api> emu_, api_;
  std::unique_ptr<ServerProcess> server_;
  int64_t group_ = 0;
};

TEST_F(Ec2E2E, TutorialJobRunsOnAnInstanceThatIsTerminatedAfterIt) {
  // Test Access with a wrong secret names EC2's error; with the right one it works.
  api_->Ok(
      "PUT", "/api/v1/settings/cloud/aws",
      Json{
          {"access_key", kAccessKey}, {"secret_access_key", "wrong"}, {"endpoint", EmulatorUrl()}});
  Json refused = api_->Ok("POST", "/api/v1/settings/cloud/aws/test");
  EXPECT_EQ(refused["ok"], false);
  EXPECT_EQ(refused["code"], "AuthFailure");
  auto [status, bad] = api_->Call(
      "POST", "/api/v1/groups",
      Json{{"name", "bad"}, {"deployment", {{"method", "aws_ec2"}, {"region", "us-east-1"}}}});
  EXPECT_EQ(status, 400);
  EXPECT_EQ(bad["error"]["field"], "deployment.instance_type") << bad.dump();
  SaveKeysAndCreateGroup();
  Json shown = api_->Ok("GET", "/api/v1/settings/cloud/aws");
  EXPECT_EQ(shown["secret_set"], true);
  EXPECT_EQ(shown.dump().find(kSecret), std::string::npos);  // never sent back
  Json test = api_->Ok("POST", "/api/v1/settings/cloud/aws/test");
  EXPECT_EQ(test["ok"], true) << test.dump();
  Json types = api_->Ok("GET", "/api/v1/settings/cloud/aws/instance-types?region=us-east-1");
  EXPECT_NE(types.dump().find("\"t2.micro\""), std::string::npos);

  Json flow = api_->WaitFlowCompleted(RunTutorialFlow(1), 120s);
  Json job = flow["runs"][0]["jobs"][0];
  EXPECT_EQ(job["completion_status"], "ok") << job.dump() << Consoles();
  EXPECT_EQ(api_->Text("/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/log"),
            "hello world\n");
  Json launched = Instances();
  ASSERT_EQ(launched.size(), 1u) << launched.dump(1);
  EXPECT_EQ(launched[0]["image_id"], kAmi);
  EXPECT_EQ(launched[0]["instance_type"], "t2.micro");
  EXPECT_EQ(launched[0]["tags"]["kraken-group"], std::to_string(group_));
  EXPECT_EQ(launched[0]["launch"]["block_devices"][0]["volume_size"], 8);
  if (geteuid() == 0) {  // booted from the Debian 11 image, whose console says so
    std::string id = launched[0]["instance_id"];
    EXPECT_NE(emu_->Text("/_emulator/instances/" + id + "/console")
                  .find("Debian GNU/Linux 11 (bullseye)"),
              std::string::npos)
        << Consoles();
  }
  EXPECT_TRUE(WaitFor([&] { return AllTerminated(1); }, 30s)) << Instances().dump(1);
}

TEST_F(Ec2E2E, FiveJobsAtOnceNeverMakeMoreThanTwoInstances) {
  SaveKeysAndCreateGroup(2);
  Json flow = api_->WaitFlowCompleted(RunTutorialFlow(5), 180s);
  for (const Json& job : flow["runs"][0]["jobs"])
    EXPECT_EQ(job["completion_status"], "ok") << job.dump();
  EXPECT_LE(Stats()["max_active"], 2) << Stats().dump();
  EXPECT_TRUE(WaitFor([&] { return AllTerminated(5); }, 30s))
      << Instances().dump(1);  // one per job
}

TEST_F(Ec2E2E, UnknownInstanceTaggedForTheGroupIsTerminatedBySweeps) {
  SaveKeysAndCreateGroup();
  // Find the server's id in the tags of a first, ordinary instance.
  api_->WaitFlowCompleted(RunTutorialFlow(1), 120s);
  std::string server_id = Instances()[0]["tags"]["kraken-server"];
  aws::CurlTransport transport;
  aws::Ec2Client client({{kAccessKey, kSecret, ""}, "us-east-1", EmulatorUrl(), {}}, transport);
  aws::RunInstancesRequest orphan;
  orphan.image_id = kAmi;
  orphan.instance_type = "t2.micro";
  orphan.tags = {{"kraken-server", server_id},
                 {"kraken-group", std::to_string(group_)},
                 {"kraken-machine", "987654"}};
  auto run = client.RunInstances(orphan);
  ASSERT_TRUE(run) << run.error().message;
  const std::string id = run->reservation.instances[0].instance_id;
  auto state = [&] {
    for (const Json& i : Instances())
      if (i["instance_id"] == id) return i["state"].get<std::string>();
    return std::string("?");
  };
  EXPECT_TRUE(WaitFor([&] { return state() == "terminated"; }, 20s)) << state();
}

TEST_F(Ec2E2E, SpotInterruptionMidJobRequeuesTheJobOnANewInstance) {
  SaveKeysAndCreateGroup();
  int64_t branch = api_->CreateBranch("spot", "main");
  api_->CreateStage(
      branch, "spot",
      Json{{"parent", "root"},
           {"triggers", {{"parent", true}}},
           {"jobs",
            Json::array({Json{{"name", "long"},
                              {"timeout", 500},
                              {"steps", Json::array({ShellStep("sleep 3; echo done")})},
                              {"environments", Json::array({Json{{"system", kAmi},
                                                                 {"agents_group", "aws-t2-micro"},
                                                                 {"config", "default"}}})}}})}});
  Json f = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                    Json{{"kind", "ci"}});
  // Interrupt the instance as soon as its job runs.
  api_->WaitFlow(
      f["id"],
      [](const Json& fl) {
        return !fl["runs"].empty() && !fl["runs"][0]["jobs"].empty() &&
               fl["runs"][0]["jobs"][0]["state"] == "assigned";
      },
      60s);
  std::string first = Instances()[0]["instance_id"];
  emu_->Ok("POST", "/_emulator/faults", Json{{"interrupt", first}});
  Json flow = api_->WaitFlowCompleted(f["id"], 120s);
  Json job = flow["runs"][0]["jobs"][0];
  EXPECT_EQ(job["completion_status"], "ok") << job.dump() << Consoles();
  EXPECT_EQ(job["attempt"], 2) << job.dump();
  EXPECT_NE(job["notes"].get<std::string>().find("vanished"), std::string::npos) << job.dump();
  // The first attempt is on record as preempted, not failed.
  Json detail = api_->Ok("GET", "/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()));
  ASSERT_EQ(detail["attempts"].size(), 1u) << detail.dump();
  EXPECT_EQ(detail["attempts"][0]["attempt"], 1) << detail.dump();
  EXPECT_EQ(detail["attempts"][0]["outcome"], "preempted") << detail.dump();
  EXPECT_NE(detail["attempts"][0]["reason"].get<std::string>().find("vanished"), std::string::npos);
  EXPECT_EQ(Instances()[0]["state_reason"], "Server.SpotInstanceTermination");
  EXPECT_EQ(Instances().size(), 2u);
}

TEST_F(Ec2E2E, ThrottlingStormHoldsTheLimitAndJobsFinishAfterIt) {
  SaveKeysAndCreateGroup(2);
  emu_->Ok("POST", "/_emulator/faults", Json{{"throttle_ms", 3000}});
  int64_t flow_id = RunTutorialFlow(3);
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(Instances().size(), 0u);  // nothing launched during the storm
  Json flow = api_->WaitFlowCompleted(flow_id, 180s);
  for (const Json& job : flow["runs"][0]["jobs"])
    EXPECT_EQ(job["completion_status"], "ok") << job.dump();
  EXPECT_GT(Stats()["errors"].value("RequestLimitExceeded", 0), 0);
  EXPECT_LE(Stats()["max_active"], 2);
}

}  // namespace
}  // namespace kraken::e2e
