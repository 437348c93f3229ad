#include "cloud/docker/container_types.h"

#include <gtest/gtest.h>

namespace kraken::docker {
namespace {

ContainerSpec AgentSpec() {
  ContainerSpec spec;
  spec.name = "kraken-agent-7";
  spec.image = "localhost/kraken-agent:1";
  spec.entrypoint = {"/usr/local/bin/kraken"};
  spec.cmd = {"agent", "--server", "http://10.0.0.1:8080"};
  spec.env = {{"KRAKEN_TOKEN", "t0k"}, {"A", "1"}};
  spec.labels = {{"kraken.group", "linux"}, {"kraken.machine", "7"}};
  spec.binds = {{"/usr/bin/kraken", "/usr/local/bin/kraken", true},
                {"/srv/cache", "/cache", false}};
  spec.network_mode = "host";
  spec.nano_cpus = 1'500'000'000;
  spec.memory_bytes = 512 << 20;
  return spec;
}

TEST(DockerContainerTypesTest, CreateBodyHasTheEngineApiShape) {
  Json body = CreateBody(AgentSpec());
  EXPECT_EQ(body["Image"], "localhost/kraken-agent:1");
  EXPECT_EQ(body["Entrypoint"], Json({"/usr/local/bin/kraken"}));
  EXPECT_EQ(body["Cmd"], Json({"agent", "--server", "http://10.0.0.1:8080"}));
  EXPECT_EQ(body["Env"], Json({"A=1", "KRAKEN_TOKEN=t0k"}));
  EXPECT_EQ(body["Labels"], Json({{"kraken.group", "linux"}, {"kraken.machine", "7"}}));
  EXPECT_EQ(body["Tty"], false);
  const Json& host = body["HostConfig"];
  EXPECT_EQ(host["Binds"],
            Json({"/usr/bin/kraken:/usr/local/bin/kraken:ro", "/srv/cache:/cache:rw"}));
  EXPECT_EQ(host["NetworkMode"], "host");
  EXPECT_EQ(host["NanoCpus"], 1'500'000'000);
  EXPECT_EQ(host["Memory"], 512 << 20);
  EXPECT_EQ(host["AutoRemove"], false);
  EXPECT_FALSE(body.contains("name")) << "the name travels in the query string";
}

TEST(DockerContainerTypesTest, CreateBodyLeavesUnsetChoicesToTheImageAndEngine) {
  ContainerSpec spec;
  spec.image = "busybox";
  Json body = CreateBody(spec);
  EXPECT_FALSE(body.contains("Cmd"));
  EXPECT_FALSE(body.contains("Entrypoint"));
  EXPECT_FALSE(body["HostConfig"].contains("NetworkMode"));
  EXPECT_FALSE(body["HostConfig"].contains("NanoCpus"));
  EXPECT_FALSE(body["HostConfig"].contains("Memory"));
}

TEST(DockerContainerTypesTest, ValidateSpecNamesTheBadField) {
  EXPECT_TRUE(ValidateSpec(AgentSpec()));
  ContainerSpec no_image = AgentSpec();
  no_image.image.clear();
  EXPECT_EQ(ValidateSpec(no_image).error().field, "image");
  ContainerSpec relative = AgentSpec();
  relative.binds = {{"kraken", "/usr/local/bin/kraken", true}};
  EXPECT_EQ(ValidateSpec(relative).error().field, "binds");
  ContainerSpec colon = AgentSpec();
  colon.binds = {{"/a:b", "/c", true}};
  EXPECT_EQ(ValidateSpec(colon).error().field, "binds");
  ContainerSpec bad_env = AgentSpec();
  bad_env.env = {{"A=B", "c"}};
  EXPECT_EQ(ValidateSpec(bad_env).error().field, "env");
}

TEST(DockerContainerTypesTest, ParsesInspectionIncludingPodmansStateNames) {
  Json json = Json::parse(R"({
    "Id": "d350ed22", "Name": "/x1", "Image": "sha256:71dc",
    "State": {"Status": "stopped", "Running": false, "OOMKilled": false, "ExitCode": 3,
              "Error": "", "StartedAt": "2026-11-28T04:57:17.368790856Z",
              "FinishedAt": "2026-11-28T04:57:18.5Z"},
    "Config": {"Image": "localhost/kraken-test:latest", "Labels": {"kraken.test": "yes"}}})");
  auto info = ParseContainerInfo(json);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->id, "d350ed22");
  EXPECT_EQ(info->name, "x1");
  EXPECT_EQ(info->image, "localhost/kraken-test:latest");
  EXPECT_EQ(info->state, ContainerState::kExited);
  EXPECT_EQ(info->exit_code, 3);
  EXPECT_EQ(info->started_at, 1'795'841'837'368);
  EXPECT_EQ(info->finished_at, 1'795'841'838'500);
  EXPECT_EQ(info->labels.at("kraken.test"), "yes");
}

TEST(DockerContainerTypesTest, ParsesListWithNullLabels) {
  Json json = Json::parse(R"([
    {"Id": "a1", "Names": ["/one"], "Image": "img", "State": "running", "Created": 1700000000,
     "Labels": {"k": "v"}},
    {"Id": "b2", "Names": [], "Image": "img", "State": "created", "Labels": null}])");
  auto list = ParseContainerList(json);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "one");
  EXPECT_EQ((*list)[0].state, ContainerState::kRunning);
  EXPECT_EQ((*list)[0].created, 1'700'000'000'000);
  EXPECT_EQ((*list)[0].labels.at("k"), "v");
  EXPECT_EQ((*list)[1].name, "");
  EXPECT_TRUE((*list)[1].labels.empty());
  EXPECT_FALSE(ParseContainerList(Json::object()));
  EXPECT_FALSE(ParseContainerList(Json::parse(R"([{"Names": []}])")));
}

TEST(DockerContainerTypesTest, StateNamesRoundTrip) {
  for (ContainerState state :
       {ContainerState::kCreated, ContainerState::kRunning, ContainerState::kPaused,
        ContainerState::kRestarting, ContainerState::kRemoving, ContainerState::kExited,
        ContainerState::kDead}) {
    EXPECT_EQ(ParseContainerState(ContainerStateName(state)), state);
  }
  EXPECT_EQ(ParseContainerState("configured"), ContainerState::kCreated);
  EXPECT_EQ(ParseContainerState("weird"), ContainerState::kUnknown);
}

TEST(DockerContainerTypesTest, EngineTimes) {
  EXPECT_EQ(ParseEngineTime("1970-01-01T00:00:01Z"), 1000);
  EXPECT_EQ(ParseEngineTime("1970-01-01T00:00:01.25Z"), 1250);
  EXPECT_EQ(ParseEngineTime("1970-01-01T02:00:01.999999999+02:00"), 1999);
  EXPECT_EQ(ParseEngineTime("1969-12-31T23:00:00-01:00"), 0);
  EXPECT_EQ(ParseEngineTime("0001-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseEngineTime(""), 0);
  EXPECT_EQ(ParseEngineTime("yesterday"), 0);
  EXPECT_EQ(ParseEngineTime("1970-01-01T00:00:01"), 0) << "a time without a zone is ambiguous";
}

}  // namespace
}  // namespace kraken::docker
