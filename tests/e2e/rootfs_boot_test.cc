// EC2 emulator instances booted from stock root filesystems (tests/rootfs/make-rootfs.sh):
// the user data runs with the image's programs and libc only, never the host's /usr, and
// writes only into the instance's own layer.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "cloud/aws/curl_transport.h"
#include "cloud/aws/ec2_client.h"
#include "ec2emu/booter.h"
#include "ec2emu/test_emulator.h"

namespace kraken::ec2emu {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kDebianAmi = "ami-0d11d11d11d11d11d";
constexpr const char* kBusyboxAmi = "ami-0b0b0b0b0b0b0b0b0";

bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

class RootfsBoot : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NetnsBooter::Supported()) GTEST_SKIP() << "booting instances needs root and iproute2";
    rootfs_ = KRAKEN_ROOTFS_DIR;
    for (const char* kind : {"debian11", "busybox"})
      if (!fs::exists(rootfs_ + "/" + kind + "/.complete"))
        GTEST_SKIP() << rootfs_ << "/" << kind << " was not made (the rootfs_" << kind
                     << " fixture skipped: see its output)";
    char dir[] = "/tmp/kraken-rootfs-test-XXXXXX";
    ASSERT_TRUE(mkdtemp(dir));
    work_ = dir;
    booter_ = std::make_unique<NetnsBooter>(
        work_, std::vector<int>{},
        std::map<std::string, std::string>{{kDebianAmi, rootfs_ + "/debian11"},
                                           {kBusyboxAmi, rootfs_ + "/busybox"}});
    emu_ = std::make_unique<RunningEmulator>(*booter_);
    transport_ = std::make_unique<aws::CurlTransport>();
    client_ = std::make_unique<aws::Ec2Client>(emu_->Config(), *transport_);
  }
  void TearDown() override {
    emu_.reset();
    booter_.reset();
    if (!work_.empty()) fs::remove_all(work_);
  }

  // Boots one instance of `ami` with `user_data` and returns its console once the user
  // data has exited.
  std::string Boot(const std::string& ami, const std::string& user_data,
                   std::string* id_out = nullptr) {
    aws::RunInstancesRequest r;
    r.image_id = ami;
    r.instance_type = "t2.micro";
    r.user_data = user_data;
    r.tags = {{"kraken-server", "s1"}, {"kraken-group", "1"}, {"kraken-machine", "1"}};
    auto run = client_->RunInstances(r);
    EXPECT_TRUE(run) << run.error().message;
    if (!run) return "";
    const std::string id = run->reservation.instances[0].instance_id;
    if (id_out) *id_out = id;
    std::string console;
    EXPECT_TRUE(WaitUntil(
        [&] {
          console = booter_->Console(id);
          return console.find("exited with status") != std::string::npos ||
                 console.find("not found") != std::string::npos;
        },
        30s))
        << console;
    return console;
  }
  std::string Stats() const { return emu_->url() + "/_emulator/stats"; }

  std::string rootfs_, work_;
  std::unique_ptr<NetnsBooter> booter_;
  std::unique_ptr<RunningEmulator> emu_;
  std::unique_ptr<aws::CurlTransport> transport_;
  std::unique_ptr<aws::Ec2Client> client_;
};

TEST_F(RootfsBoot, ADebian11InstanceHasItsOwnLibcAndNoneOfTheHostsPrograms) {
  std::string id;
  std::string console = Boot(kDebianAmi, R"sh(#!/bin/sh
echo "debian $(cat /etc/debian_version)"
/lib/x86_64-linux-gnu/libc.so.6 | head -1
command -v curl || echo "no curl"
command -v wget || echo "no wget"
test -e /usr/bin/cmake || echo "no cmake"
# The host's loopback port the user data names is reachable; bash's /dev/tcp fetches it.
server=)sh" + emu_->url() + R"sh(
port=${server##*:}
bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$port"'; printf "GET /_emulator/stats HTTP/1.0\r\n\r\n" >&3; head -1 <&3'
mkdir -p /usr/local/bin && echo mine > /usr/local/bin/probe
)sh",
                             &id);
  EXPECT_NE(console.find("debian 11."), std::string::npos) << console;
  EXPECT_NE(console.find("release version 2.31"), std::string::npos) << console;
  EXPECT_NE(console.find("no curl"), std::string::npos) << console;
  EXPECT_NE(console.find("no wget"), std::string::npos) << console;
  EXPECT_NE(console.find("no cmake"), std::string::npos) << console;
  EXPECT_NE(console.find(" 200 OK"), std::string::npos) << console;
  EXPECT_NE(console.find("status 0"), std::string::npos) << console;
  // The write went to the instance's layer, not to the image nor the host.
  EXPECT_FALSE(fs::exists(rootfs_ + "/debian11/usr/local/bin/probe"));
  EXPECT_FALSE(fs::exists("/usr/local/bin/probe"));
  EXPECT_TRUE(fs::exists(work_ + "/" + id + "/upper/usr/local/bin/probe"));
  ASSERT_TRUE(client_->TerminateInstances({id}));
  EXPECT_TRUE(WaitUntil([&] { return !fs::exists(work_ + "/" + id); }, 10s));
}

TEST_F(RootfsBoot, ABusyboxInstanceHasNoLibcAtAll) {
  std::string console = Boot(kBusyboxAmi, R"(#!/bin/sh
ls /lib /usr/lib 2>/dev/null | wc -l
command -v bash || echo "no bash"
wget -q -O - )" + Stats() + R"( | head -c 9; echo
)");
  EXPECT_NE(console.find("\n0\n"), std::string::npos) << console;
  EXPECT_NE(console.find("no bash"), std::string::npos) << console;
  EXPECT_NE(console.find("{\"calls\""), std::string::npos) << console;
  EXPECT_NE(console.find("status 0"), std::string::npos) << console;
}

TEST_F(RootfsBoot, UserDataForAnInterpreterTheImageLacksFailsAsOnEc2) {
  std::string console = Boot(kBusyboxAmi, "#!/bin/bash\necho ran\n");
  EXPECT_EQ(console.find("\nran\n"), std::string::npos) << console;
  EXPECT_NE(console.find("not found"), std::string::npos) << console;
}

}  // namespace
}  // namespace kraken::ec2emu
