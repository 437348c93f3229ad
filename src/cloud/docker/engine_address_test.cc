#include "cloud/docker/engine_address.h"

#include <gtest/gtest.h>

namespace kraken::docker {
namespace {

TEST(DockerEngineAddressTest, UnixSocketKeepsPathAndUsesPlaceholderHost) {
  auto address = ParseEngineAddress("unix:///run/podman/podman.sock");
  ASSERT_TRUE(address) << address.error().message;
  EXPECT_EQ(address->unix_socket, "/run/podman/podman.sock");
  EXPECT_EQ(address->base_url, "http://localhost");
  EXPECT_EQ(address->text, "unix:///run/podman/podman.sock");
}

TEST(DockerEngineAddressTest, TcpAndHttpBecomePlainHttp) {
  for (const char* text :
       {"tcp://127.0.0.1:2375", "http://127.0.0.1:2375", "tcp://127.0.0.1:2375/"}) {
    auto address = ParseEngineAddress(text);
    ASSERT_TRUE(address) << text << ": " << address.error().message;
    EXPECT_EQ(address->base_url, "http://127.0.0.1:2375") << text;
    EXPECT_TRUE(address->unix_socket.empty()) << text;
  }
}

TEST(DockerEngineAddressTest, RejectsWhatItCannotReach) {
  for (const char* text :
       {"", "/run/docker.sock", "unix://relative.sock", "tcp://127.0.0.1", "tcp://:2375",
        "tcp://host:port", "https://127.0.0.1:2376", "tcp://127.0.0.1:2375/v1.41"}) {
    auto address = ParseEngineAddress(text);
    ASSERT_FALSE(address) << text;
    EXPECT_EQ(address.error().code, ErrorCode::kInvalid) << text;
    EXPECT_EQ(address.error().field, "docker_host") << text;
  }
}

}  // namespace
}  // namespace kraken::docker
