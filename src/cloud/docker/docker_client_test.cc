// The client's requests and its reading of answers, against a scripted transport.
#include "cloud/docker/docker_client.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>

namespace kraken::docker {
namespace {

// Records every request and answers from a script; an empty script is a refused connection.
class FakeEngineTransport : public EngineTransport {
 public:
  struct Log {
    std::vector<EngineRequest> requests;
    std::deque<Result<EngineResponse>> script;
  };
  explicit FakeEngineTransport(Log* log) : log_(log) {}

  Result<EngineResponse> Send(const EngineRequest& request) override {
    log_->requests.push_back(request);
    if (log_->script.empty()) return Fail(ErrorCode::kUnavailable, "connection refused");
    Result<EngineResponse> next = log_->script.front();
    log_->script.pop_front();
    return next;
  }

 private:
  Log* log_;
};

class DockerClientTest : public ::testing::Test {
 protected:
  void Answer(int status, std::string body = {}) {
    log_.script.push_back(EngineResponse{status, std::move(body)});
  }
  const EngineRequest& Last() { return log_.requests.back(); }

  FakeEngineTransport::Log log_;
  DockerClient client_{std::make_unique<FakeEngineTransport>(&log_)};
};

TEST_F(DockerClientTest, PingAndVersionUseTheVersionedApi) {
  Answer(200, "OK");
  EXPECT_TRUE(client_.Ping());
  EXPECT_EQ(Last().method, "GET");
  EXPECT_EQ(Last().target, "/v1.41/_ping");

  Answer(200, R"({"Version": "4.3.1", "ApiVersion": "1.41", "MinAPIVersion": "1.24",
                  "Os": "linux", "Arch": "amd64", "KernelVersion": "6.1"})");
  auto version = client_.Version();
  ASSERT_TRUE(version) << version.error().message;
  EXPECT_EQ(Last().target, "/v1.41/version");
  EXPECT_EQ(version->version, "4.3.1");
  EXPECT_EQ(version->api_version, "1.41");
  EXPECT_EQ(version->os, "linux");
}

TEST_F(DockerClientTest, CreateSendsNameInQueryAndSpecInBody) {
  Answer(201, R"({"Id": "abc123", "Warnings": []})");
  ContainerSpec spec;
  spec.name = "kraken agent/1";
  spec.image = "localhost/agent:1";
  spec.labels = {{"kraken.group", "g"}};
  auto id = client_.CreateContainer(spec);
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, "abc123");
  EXPECT_EQ(Last().method, "POST");
  EXPECT_EQ(Last().target, "/v1.41/containers/create?name=kraken%20agent%2F1");
  EXPECT_EQ(Json::parse(Last().body), CreateBody(spec));
}

TEST_F(DockerClientTest, CreateRejectsBadSpecWithoutCallingTheEngine) {
  auto id = client_.CreateContainer(ContainerSpec{});
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().field, "image");
  EXPECT_TRUE(log_.requests.empty());
}

TEST_F(DockerClientTest, CreateOfMissingImageIsPermanentImageNotFound) {
  Answer(404, R"({"message": "No such image: localhost/gone:1"})");
  ContainerSpec spec;
  spec.image = "localhost/gone:1";
  auto id = client_.CreateContainer(spec);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(id.error().message, "image not found: localhost/gone:1");
  EXPECT_FALSE(IsTransient(id.error()));
}

TEST_F(DockerClientTest, CreateWithMissingNetworkIsNotMistakenForMissingImage) {
  Answer(404, R"({"message": "network nonet not found"})");
  ContainerSpec spec;
  spec.image = "img";
  spec.network_mode = "nonet";
  auto id = client_.CreateContainer(spec);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(id.error().message,
            "docker engine could not create container: network nonet not found (HTTP 404)");
}

TEST_F(DockerClientTest, StatusesMapToErrorCodesWithTheEnginesMessage) {
  ContainerSpec spec;
  spec.name = "taken";
  spec.image = "img";
  Answer(409, R"({"message": "Conflict. The container name \"/taken\" is already in use"})");
  auto conflict = client_.CreateContainer(spec);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
  EXPECT_NE(conflict.error().message.find("already in use"), std::string::npos);
  EXPECT_NE(conflict.error().message.find("HTTP 409"), std::string::npos);

  Answer(500, R"({"cause": "x", "message": "runc: container init failed", "response": 500})");
  auto broken = client_.StartContainer("c1");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(broken.error().message,
            "docker engine could not start container c1: runc: container init failed (HTTP 500)");

  Answer(404, R"({"message": "No such container: c9"})");
  auto missing = client_.InspectContainer("c9");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  Answer(400, "not json\n");
  auto bad = client_.ListContainers({});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalid);
  EXPECT_NE(bad.error().message.find(": not json (HTTP 400)"), std::string::npos)
      << bad.error().message;
}

TEST_F(DockerClientTest, PodmansPermanentFailuresAnsweredWith500AreNotTransient) {
  Answer(500, R"({"message": "creating container storage: the container name \"a\" is already )"
              R"(in use by 1b77. You have to remove that container to be able to reuse that )"
              R"(name: that name is already in use"})");
  ContainerSpec spec;
  spec.name = "a";
  spec.image = "img";
  EXPECT_EQ(client_.CreateContainer(spec).error().code, ErrorCode::kConflict);
  Answer(500, R"({"message": "cannot remove container 26ea as it is running - running or )"
              R"(paused containers cannot be removed without force: container state improper"})");
  EXPECT_EQ(client_.RemoveContainer("26ea", false).error().code, ErrorCode::kConflict);
  Answer(500, R"({"cause": "network not found", "message": "container create: unable to )"
              R"(find network with name or ID nonet: network not found", "response": 500})");
  EXPECT_EQ(client_.CreateContainer(spec).error().code, ErrorCode::kNotFound);
}

TEST_F(DockerClientTest, TransportFailuresPassThroughAsTransient) {
  auto ping = client_.Ping();  // the script is empty: connection refused
  ASSERT_FALSE(ping);
  EXPECT_TRUE(IsTransient(ping.error()));
}

TEST_F(DockerClientTest, StartAndStopTreatNotModifiedAsDone) {
  Answer(304);
  EXPECT_TRUE(client_.StartContainer("c1"));
  EXPECT_EQ(Last().target, "/v1.41/containers/c1/start");
  Answer(304);
  EXPECT_TRUE(client_.StopContainer("c1", std::chrono::seconds(10)));
  EXPECT_EQ(Last().target, "/v1.41/containers/c1/stop?t=10");
  EXPECT_GT(Last().timeout, std::chrono::seconds(10)) << "the engine may take the whole grace";
}

TEST_F(DockerClientTest, ListEncodesLabelFiltersAsJsonMap) {
  Answer(200, R"([{"Id": "a", "Names": ["/n"], "State": "exited", "Labels": {"k": "v"}}])");
  auto list = client_.ListContainers({"k=v", "kraken.group"});
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].state, ContainerState::kExited);
  // filters={"label":["k=v","kraken.group"]}
  EXPECT_EQ(Last().target,
            "/v1.41/containers/json?all=true&filters=%7B%22label%22%3A%5B%22k%3Dv%22%2C%22"
            "kraken.group%22%5D%7D");
}

TEST_F(DockerClientTest, RemoveAsksForVolumesAndForce) {
  Answer(204);
  EXPECT_TRUE(client_.RemoveContainer("c1", true));
  EXPECT_EQ(Last().method, "DELETE");
  EXPECT_EQ(Last().target, "/v1.41/containers/c1?v=true&force=true");
}

TEST_F(DockerClientTest, LogsAreDemultiplexed) {
  Answer(200, std::string("\x01\0\0\0\0\0\0\x03hi\n\x02\0\0\0\0\0\0\x04"
                          "err\n",
                          23));
  auto logs = client_.ContainerLogs("c1", 50);
  ASSERT_TRUE(logs) << logs.error().message;
  EXPECT_EQ(logs->out, "hi\n");
  EXPECT_EQ(logs->err, "err\n");
  EXPECT_EQ(Last().target,
            "/v1.41/containers/c1/logs?stdout=true&stderr=true&follow=false&tail=50");
}

TEST_F(DockerClientTest, ImageExistsKeepsReferenceSeparators) {
  Answer(200, "{}");
  Answer(404, R"({"message": "no such image"})");
  Answer(500, R"({"message": "storage broken"})");
  EXPECT_EQ(client_.ImageExists("localhost/kraken-test:latest"), true);
  EXPECT_EQ(Last().target, "/v1.41/images/localhost/kraken-test:latest/json");
  EXPECT_EQ(client_.ImageExists("nope"), false);
  auto broken = client_.ImageExists("x");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kUnavailable);
}

TEST_F(DockerClientTest, MalformedAnswersAreInternalErrors) {
  Answer(200, "{not json");
  auto info = client_.InspectContainer("c1");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, ErrorCode::kInternal);
  Answer(201, R"({"Warnings": []})");
  ContainerSpec spec;
  spec.image = "img";
  auto id = client_.CreateContainer(spec);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, ErrorCode::kInternal);
}

TEST(DockerClientConnectTest, RejectsUnparsableAddress) {
  auto client = DockerClient::Connect("ftp://example");
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, ErrorCode::kInvalid);
}

}  // namespace
}  // namespace kraken::docker
