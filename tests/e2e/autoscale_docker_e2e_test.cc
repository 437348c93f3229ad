// End to end: the Docker driver against a real engine (Podman's Docker-compatible service
// of tests/podman), running jobs in unmodified images made from stock root filesystems
// (tests/podman/import_rootfs_images.sh): the driver bind-mounts the static kraken-agent
// into each container, and nothing of Kraken is in the images.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "cloud/docker/docker_client.h"
#include "tests/e2e/harness.h"

namespace kraken::e2e {
namespace {

constexpr const char* kDebian = "localhost/debian:11-minbase";
constexpr const char* kBusybox = "localhost/busybox:stock";
constexpr const char* kNoShell = "localhost/noshell:latest";

// A server and the Podman engine of the fixture, and one-job flows on them.
class PodmanE2E : public ::testing::Test {
 protected:
  void StartServer(const std::string& name, std::vector<std::string> args = {}) {
    const char* host = std::getenv("KRAKEN_DOCKER_HOST");
    ASSERT_NE(host, nullptr) << "KRAKEN_DOCKER_HOST is not set (the podman fixture sets it)";
    engine_ = host;
    auto client = docker::DockerClient::Connect(engine_);
    ASSERT_TRUE(client);
    docker_ = std::make_unique<docker::DockerClient>(std::move(*client));
    dir_ = TempDir(name);
    server_ = std::make_unique<ServerProcess>(dir_, "", std::move(args));
    server_->Start();
    api_ = std::make_unique<Api>(server_->url());
    api_->Login();
  }
  // Starts a one-job flow whose step is `cmd` in a container of `image`, on `group`.
  int64_t StartJob(const std::string& group, const std::string& image, const std::string& cmd) {
    int64_t branch = api_->CreateBranch("b" + std::to_string(++branches_), "main");
    Json env = Json::array({Json{{"system", image},
                                 {"executor", "docker"},
                                 {"agents_group", group},
                                 {"config", "default"}}});
    api_->CreateStage(branch, "build",
                      Json{{"parent", "root"},
                           {"triggers", {{"parent", true}}},
                           {"jobs", Json::array({Json{{"name", "job"},
                                                      {"timeout", 60},
                                                      {"steps", Json::array({ShellStep(cmd)})},
                                                      {"environments", env}}})}});
    return api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                    Json{{"kind", "ci"}})["id"];
  }
  // The same, once completed: the job.
  Json RunJob(const std::string& group, const std::string& image, const std::string& cmd) {
    Json flow = api_->WaitFlowCompleted(StartJob(group, image, cmd), std::chrono::seconds(90));
    return flow["runs"][0]["jobs"][0];
  }
  std::string Log(const Json& job) {
    return api_->Text("/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/log");
  }

  int branches_ = 0;
  std::string engine_, dir_;
  std::unique_ptr<docker::DockerClient> docker_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<Api> api_;
};

class DockerAutoscaleE2E : public PodmanE2E {
 protected:
  void SetUp() override {
    StartServer("autoscale-docker", {"--autoscale-sweep-ms", "1000"});
    Json g = api_->Ok("POST", "/api/v1/groups",
                      Json{{"name", "containers"},
                           {"deployment",
                            {{"method", "docker"},
                             {"engine", engine_},
                             {"image", kDebian},
                             {"instances_limit", 2},
                             {"destroy_after_jobs", 1}}}});
    group_ = g["id"];
  }
  void TearDown() override {
    if (docker_)
      if (auto left = Containers())
        for (const auto& c : *left) (void)docker_->RemoveContainer(c.id, true);
    server_.reset();
    if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_);
  }
  Result<std::vector<docker::ContainerSummary>> Containers() {
    return docker_->ListContainers({"kraken-group=" + std::to_string(group_)});
  }
  std::string ServerId() {
    std::string cmd = "sqlite3 '" + dir_ +
                      "/server/kraken.db' \"SELECT value FROM settings WHERE name = 'server_id'\"";
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[128];
      while (fgets(buf, sizeof buf, p)) out += buf;
      pclose(p);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  Json RunJob(const std::string& image, const std::string& cmd) {
    return PodmanE2E::RunJob("containers", image, cmd);
  }

  int64_t group_ = 0;
};

TEST_F(DockerAutoscaleE2E, JobRunsInAContainerThatIsRemovedAfterwards) {
  int64_t branch = api_->CreateBranch("docker", "main");
  Json env = Json::array({Json{{"system", kDebian},
                               {"executor", "docker"},
                               {"agents_group", "containers"},
                               {"config", "default"}}});
  api_->CreateStage(
      branch, "build",
      Json{{"parent", "root"},
           {"triggers", {{"parent", true}}},
           {"jobs", Json::array({Json{{"name", "hello"},
                                      {"timeout", 60},
                                      {"steps", Json::array({ShellStep("echo 'hello world'")})},
                                      {"environments", env}}})}});
  Json f = api_->Ok("POST", "/api/v1/branches/" + std::to_string(branch) + "/flows",
                    Json{{"kind", "ci"}});
  bool seen_container = false;
  Json flow = api_->WaitFlow(
      f["id"],
      [&](const Json& fl) {
        if (auto c = Containers(); c && !c->empty()) seen_container = true;
        return fl["state"] == "completed";
      },
      std::chrono::seconds(90));
  ASSERT_EQ(flow["runs"][0]["jobs"].size(), 1u);
  Json job = flow["runs"][0]["jobs"][0];
  EXPECT_EQ(job["completion_status"], "ok") << job.dump();
  EXPECT_EQ(api_->Text("/api/v1/jobs/" + std::to_string(job["id"].get<int64_t>()) + "/log"),
            "hello world\n");
  EXPECT_TRUE(seen_container);
  bool removed = WaitFor(
      [&] {
        auto c = Containers();
        return c && c->empty();
      },
      std::chrono::seconds(30));
  EXPECT_TRUE(removed) << "the job's container was not removed";
  // The container can vanish a moment before the destroy call returns and the server records it.
  Json machines;
  bool gone = WaitFor(
      [&] {
        auto [status, list] =
            api_->Call("GET", "/api/v1/groups/" + std::to_string(group_) + "/machines");
        machines = list;
        return status == 200 && !list.empty() && list[0]["state"] == "gone";
      },
      std::chrono::seconds(30));
  ASSERT_FALSE(machines.empty());
  EXPECT_TRUE(gone) << machines.dump(1);
  EXPECT_EQ(machines[0]["job_count"], 1);
}

TEST_F(DockerAutoscaleE2E, OrphanContainerIsRemovedBySweep) {
  std::string server_id = ServerId();
  ASSERT_FALSE(server_id.empty());
  docker::ContainerSpec spec;
  spec.image = kBusybox;
  spec.cmd = {"/bin/sleep", "300"};
  spec.network_mode = "none";
  spec.labels = {{"kraken-server", server_id},
                 {"kraken-group", std::to_string(group_)},
                 {"kraken-machine", "987654"}};
  auto id = docker_->CreateContainer(spec);
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_TRUE(docker_->StartContainer(*id));
  // Two sightings a second apart, then the destroy call.
  bool removed = WaitFor(
      [&] {
        auto c = Containers();
        return c && c->empty();
      },
      std::chrono::seconds(20));
  EXPECT_TRUE(removed) << "the orphan container is still there";
  std::string metrics = api_->Text("/metrics");
  EXPECT_NE(metrics.find("kraken_orphans_destroyed_total{group=\"containers\"} 1"),
            std::string::npos)
      << metrics;
}

// The images are stock: Debian 11's own bash and libc, busybox with no libc at all.
TEST_F(DockerAutoscaleE2E, JobsRunInUnmodifiedDebianAndBusyboxImages) {
  Json debian = RunJob(kDebian, "cat /etc/debian_version; ls /lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(debian["completion_status"], "ok") << debian.dump() << Log(debian);
  std::string log = Log(debian);
  EXPECT_TRUE(log.starts_with("11.")) << log;
  EXPECT_NE(log.find("libc.so.6"), std::string::npos) << log;
  Json busybox = RunJob(kBusybox, "ls /lib /usr/lib 2>/dev/null | wc -l; readlink /bin/sh");
  EXPECT_EQ(busybox["completion_status"], "ok") << busybox.dump() << Log(busybox);
  EXPECT_EQ(Log(busybox), "0\nbusybox\n");
}

// An image without a shell runs the agent (it needs none) but not a shell step: the job
// fails saying so, rather than hanging or failing without a word.
TEST_F(DockerAutoscaleE2E, AJobInAnImageWithoutAShellFailsSayingSo) {
  Json job = RunJob(kNoShell, "echo unreachable");
  EXPECT_NE(job["completion_status"], "ok") << job.dump();
  std::string text = job.dump() + Log(job);
  EXPECT_NE(text.find("/bin/sh not found on this machine"), std::string::npos) << text;
}

// An agent installed by hand on a machine with Podman (DOCKER_HOST) honours executor
// docker: it runs the job in a container of the job's image, into which it puts the static
// kraken-agent (a `kraken agent` downloads it from the server), and removes the container.
// An agent without an engine never takes such a job, and the job says why it waits.
class HandInstalledAgentDockerE2E : public PodmanE2E {
 protected:
  void SetUp() override { StartServer("hand-docker"); }
  void TearDown() override {
    agent_.reset();
    if (docker_)
      if (auto left = docker_->ListContainers({"kraken-agent"}))
        for (const auto& c : *left) (void)docker_->RemoveContainer(c.id, true);
    server_.reset();
    unsetenv("DOCKER_HOST");
    if (!HasFailure() && !dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void StartAgent(const std::string& group, bool with_engine) {
    api_->Ok("POST", "/api/v1/groups", Json{{"name", group}});
    if (with_engine)
      setenv("DOCKER_HOST", engine_.c_str(), 1);
    else
      unsetenv("DOCKER_HOST");
    agent_ = std::make_unique<AgentProcess>(server_->url(), dir_ + "/agent-" + group,
                                            api_->RegistrationToken(group), "hand-" + group);
    agent_->Start();
    api_->WaitAgents(1);
  }
  std::unique_ptr<AgentProcess> agent_;
};

TEST_F(HandInstalledAgentDockerE2E, RunsTheJobInAContainerOfItsImage) {
  StartAgent("podman-host", true);
  Json agents = api_->Ok("GET", "/api/v1/agents");
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_EQ(agents[0]["host_info"]["docker"], true) << agents.dump(1);

  Json debian = RunJob("podman-host", kDebian,
                       "cat /etc/debian_version; ls -l /usr/local/bin/kraken-agent | cut -c1-10");
  EXPECT_EQ(debian["completion_status"], "ok") << debian.dump() << Log(debian);
  std::string log = Log(debian);
  EXPECT_TRUE(log.starts_with("11.")) << log;  // the image's, not this host's Debian 12
  EXPECT_NE(log.find("-rwxr-xr-x"), std::string::npos) << log;
  Json busybox = RunJob("podman-host", kBusybox, "readlink /bin/sh");
  EXPECT_EQ(busybox["completion_status"], "ok") << busybox.dump() << Log(busybox);
  EXPECT_EQ(Log(busybox), "busybox\n");
  // A failing step fails the job as on any agent.
  Json failing = RunJob("podman-host", kBusybox, "exit 3");
  EXPECT_EQ(failing["completion_status"], "step-error") << failing.dump() << Log(failing);

  // The agent removes each container once it has ended (a moment after the job's last step).
  size_t left = 0;
  EXPECT_TRUE(WaitFor(
      [&] {
        auto listed = docker_->ListContainers({"kraken-agent"});
        left = listed ? listed->size() : 99;
        return left == 0;
      },
      std::chrono::seconds(20)))
      << left << " job containers were left behind";
}

TEST_F(HandInstalledAgentDockerE2E, AnImageWithoutAShellOrNotThereFailsSayingSo) {
  StartAgent("podman-host", true);
  Json no_shell = RunJob("podman-host", kNoShell, "echo unreachable");
  EXPECT_NE(no_shell["completion_status"], "ok") << no_shell.dump();
  std::string text = no_shell.dump() + Log(no_shell);
  EXPECT_NE(text.find("/bin/sh not found on this machine"), std::string::npos) << text;

  Json missing = RunJob("podman-host", "localhost/no-such-image:1", "echo unreachable");
  EXPECT_NE(missing["completion_status"], "ok") << missing.dump();
  text = missing.dump() + Log(missing);
  EXPECT_NE(text.find("image localhost/no-such-image:1 is not on this machine's container "
                      "engine"),
            std::string::npos)
      << text;
}

TEST_F(HandInstalledAgentDockerE2E, AnAgentWithoutAnEngineLeavesTheJobQueuedSayingWhy) {
  for (const char* socket : {"/var/run/docker.sock", "/run/podman/podman.sock"})
    if (access(socket, W_OK) == 0)
      GTEST_SKIP() << "this machine has a container engine at " << socket
                   << ": every agent here has one";
  StartAgent("plain", false);
  Json agents = api_->Ok("GET", "/api/v1/agents");
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_EQ(agents[0]["host_info"]["docker"], false) << agents.dump(1);
  int64_t flow_id = StartJob("plain", kDebian, "echo unreachable");
  std::string reason;
  bool explained = WaitFor(
      [&] {
        Json flow = api_->FlowWithJobs(flow_id);
        for (const auto& run : flow["runs"])
          for (const auto& job : run["jobs"]) {
            EXPECT_EQ(job["state"], "queued") << job.dump();
            reason = job.value("wait_reason", "");
          }
        return reason.find("Docker or Podman") != std::string::npos;
      },
      std::chrono::seconds(15));
  EXPECT_TRUE(explained) << reason;
}

}  // namespace
}  // namespace kraken::e2e
