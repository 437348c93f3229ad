// The client against a real engine: the Podman service of tests/podman, whose address
// arrives in KRAKEN_DOCKER_HOST, with its locally built busybox image.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "cloud/docker/docker_client.h"

namespace kraken::docker {
namespace {

constexpr const char* kImage = "localhost/kraken-test:latest";
constexpr const char* kRunLabel = "kraken.test.run";

class DockerEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* host = std::getenv("KRAKEN_DOCKER_HOST");
    if (host == nullptr || *host == '\0') {
      GTEST_SKIP() << "KRAKEN_DOCKER_HOST is not set: run through ctest, whose `podman` "
                      "fixture (tests/podman) starts an engine";
    }
    auto client = DockerClient::Connect(host);
    ASSERT_TRUE(client) << client.error().message;
    client_.emplace(std::move(*client));
    // Labels and names unique to this process keep parallel runs out of each other's way.
    run_id_ = std::to_string(getpid()) + "-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    dir_ = std::filesystem::temp_directory_path() / ("kraken-docker-test-" + run_id_);
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override {
    if (client_) {
      auto leftovers = client_->ListContainers({std::string(kRunLabel) + "=" + run_id_});
      if (leftovers) {
        for (const ContainerSummary& c : *leftovers) (void)client_->RemoveContainer(c.id, true);
      }
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  ContainerSpec Spec(std::string name_suffix, std::vector<std::string> cmd) {
    ContainerSpec spec;
    spec.name = "kraken-test-" + run_id_ + "-" + name_suffix;
    spec.image = kImage;
    spec.cmd = std::move(cmd);
    spec.labels = {{kRunLabel, run_id_}, {"kraken.test.case", name_suffix}};
    spec.network_mode = "none";
    return spec;
  }

  // Polls until the container has stopped running; fails the test after `limit`.
  ContainerInfo WaitForExit(const std::string& id,
                            std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      auto info = client_->InspectContainer(id);
      EXPECT_TRUE(info) << info.error().message;
      if (!info) return {};
      if (info->state == ContainerState::kExited || info->state == ContainerState::kDead) {
        return *info;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "container " << id << " still " << ContainerStateName(info->state);
        return *info;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  std::optional<DockerClient> client_;
  std::string run_id_;
  std::filesystem::path dir_;
};

TEST_F(DockerEngineTest, PingAndVersion) {
  ASSERT_TRUE(client_->Ping());
  auto version = client_->Version();
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_FALSE(version->version.empty());
  EXPECT_EQ(version->os, "linux");
  // The engine must speak at least the API version the client pins.
  EXPECT_FALSE(version->api_version.empty());
  EXPECT_LE(std::stod(version->min_api_version.empty() ? "0" : version->min_api_version), 1.41);
}

TEST_F(DockerEngineTest, ImageExists) {
  EXPECT_EQ(client_->ImageExists(kImage), true);
  EXPECT_EQ(client_->ImageExists("localhost/kraken-no-such-image:latest"), false);
}

TEST_F(DockerEngineTest, RunsContainerWithEnvLabelsAndReadOnlyBindThenRemovesIt) {
  std::filesystem::path file = dir_ / "file";
  std::ofstream(file) << "mounted content\n";
  ContainerSpec spec = Spec("lifecycle", {"/bin/sh", "-c",
                                          "echo hello world; cat /mnt/file; echo \"$GREETING\"; "
                                          "echo to-stderr >&2; "
                                          "if echo x 2>/dev/null >/mnt/file; then echo writable; "
                                          "else echo read-only; fi; exit 3"});
  spec.env = {{"GREETING", "hi from env"}};
  spec.binds = {{file.string(), "/mnt/file", true}};
  spec.nano_cpus = 500'000'000;
  spec.memory_bytes = 64 << 20;

  auto before = std::chrono::system_clock::now();
  auto id = client_->CreateContainer(spec);
  ASSERT_TRUE(id) << id.error().message;
  auto created = client_->InspectContainer(*id);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->state, ContainerState::kCreated);
  EXPECT_EQ(created->name, spec.name);
  EXPECT_EQ(created->image, kImage);
  EXPECT_EQ(created->labels.at("kraken.test.case"), "lifecycle");

  ASSERT_TRUE(client_->StartContainer(*id));
  ContainerInfo done = WaitForExit(*id);
  EXPECT_EQ(done.state, ContainerState::kExited);
  EXPECT_EQ(done.exit_code, 3);
  Millis before_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(before.time_since_epoch()).count();
  // Engine and test share one clock. Podman may stamp a container that exits at once as
  // finished a few milliseconds before it was started, so the two are not compared.
  EXPECT_GE(done.started_at, before_ms - 2000);
  EXPECT_GE(done.finished_at, before_ms - 2000);

  auto logs = client_->ContainerLogs(*id);
  ASSERT_TRUE(logs) << logs.error().message;
  EXPECT_EQ(logs->out, "hello world\nmounted content\nhi from env\nread-only\n");
  EXPECT_EQ(logs->err, "to-stderr\n");
  std::ifstream reread(file);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(reread), {}), "mounted content\n");

  auto listed = client_->ListContainers(
      {std::string(kRunLabel) + "=" + run_id_, "kraken.test.case=lifecycle"});
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, *id);
  EXPECT_EQ((*listed)[0].name, spec.name);
  EXPECT_EQ((*listed)[0].state, ContainerState::kExited);
  EXPECT_EQ((*listed)[0].labels.at(kRunLabel), run_id_);

  auto other_value = client_->ListContainers({std::string(kRunLabel) + "=someone-else"});
  ASSERT_TRUE(other_value);
  EXPECT_TRUE(other_value->empty());

  ASSERT_TRUE(client_->RemoveContainer(*id, false));
  auto after = client_->ListContainers({std::string(kRunLabel) + "=" + run_id_});
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());
  auto gone = client_->InspectContainer(*id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  auto removed_twice = client_->RemoveContainer(*id, true);
  ASSERT_FALSE(removed_twice);
  EXPECT_EQ(removed_twice.error().code, ErrorCode::kNotFound);
}

TEST_F(DockerEngineTest, StopsARunningContainerAndRefusesADuplicateName) {
  ContainerSpec spec = Spec("stop", {"/bin/sleep", "60"});
  auto id = client_->CreateContainer(spec);
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_TRUE(client_->StartContainer(*id));
  auto running = client_->InspectContainer(*id);
  ASSERT_TRUE(running);
  EXPECT_EQ(running->state, ContainerState::kRunning);
  EXPECT_TRUE(client_->StartContainer(*id)) << "starting a running container is a no-op";

  auto duplicate = client_->CreateContainer(spec);
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict) << duplicate.error().message;

  // sleep as PID 1 has no SIGTERM handler, so the engine kills it after the grace second.
  ASSERT_TRUE(client_->StopContainer(*id, std::chrono::seconds(1)));
  auto stopped = client_->InspectContainer(*id);
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->state, ContainerState::kExited);
  EXPECT_NE(stopped->exit_code, 0);
  EXPECT_TRUE(client_->StopContainer(*id, std::chrono::seconds(1))) << "already stopped";
  EXPECT_TRUE(client_->RemoveContainer(*id, false));
}

TEST_F(DockerEngineTest, WaitsForAContainerToExitOrForItsTimeout) {
  auto id = client_->CreateContainer(Spec("wait", {"/bin/sh", "-c", "sleep 3; exit 7"}));
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_TRUE(client_->StartContainer(*id));
  auto early = client_->WaitContainer(*id, std::chrono::milliseconds(200));
  ASSERT_FALSE(early) << "answered before the container ended: " << *early;
  EXPECT_EQ(early.error().code, ErrorCode::kUnavailable) << early.error().message;
  auto code = client_->WaitContainer(*id, std::chrono::seconds(30));
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 7);
  auto again = client_->WaitContainer(*id, std::chrono::seconds(5));  // already ended
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, 7);
  EXPECT_TRUE(client_->RemoveContainer(*id, true));
}

TEST_F(DockerEngineTest, ForceRemovesARunningContainer) {
  auto id = client_->CreateContainer(Spec("force", {"/bin/sleep", "60"}));
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_TRUE(client_->StartContainer(*id));
  auto refused = client_->RemoveContainer(*id, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;
  ASSERT_TRUE(client_->RemoveContainer(*id, true));
  auto gone = client_->InspectContainer(*id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
}

TEST_F(DockerEngineTest, UnknownImageIsPermanentImageNotFound) {
  ContainerSpec spec = Spec("no-image", {"/bin/true"});
  spec.image = "localhost/kraken-no-such-image:latest";
  auto id = client_->CreateContainer(spec);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(id.error().message, "image not found: localhost/kraken-no-such-image:latest");
  EXPECT_FALSE(IsTransient(id.error()));
}

// A closed port on loopback: bound, then released.
int ClosedLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(DockerEngineDownTest, StoppedEngineIsUnavailable) {
  std::string missing_socket =
      "unix://" + (std::filesystem::temp_directory_path() / "kraken-no-engine.sock").string();
  std::string closed_port = "tcp://127.0.0.1:" + std::to_string(ClosedLoopbackPort());
  for (const std::string& address : {missing_socket, closed_port}) {
    auto client = DockerClient::Connect(address);
    ASSERT_TRUE(client) << client.error().message;
    auto ping = client->Ping();
    ASSERT_FALSE(ping) << address;
    EXPECT_EQ(ping.error().code, ErrorCode::kUnavailable) << ping.error().message;
    EXPECT_TRUE(IsTransient(ping.error()));
    EXPECT_NE(ping.error().message.find(address), std::string::npos) << ping.error().message;
    auto create = client->CreateContainer(ContainerSpec{.image = kImage});
    ASSERT_FALSE(create);
    EXPECT_EQ(create.error().code, ErrorCode::kUnavailable);
  }
}

}  // namespace
}  // namespace kraken::docker
