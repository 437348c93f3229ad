#include "ec2emu/emulator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "ec2emu/query_reader.h"
#include "ec2emu/test_emulator.h"

namespace kraken::ec2emu {
namespace {

using namespace std::chrono_literals;

bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

aws::RunInstancesRequest Launch(const std::string& group = "7") {
  aws::RunInstancesRequest r;
  r.image_id = "ami-0123456789abcdef0";
  r.instance_type = "t2.micro";
  r.user_data = "#!/bin/bash\necho hello\n";
  r.tags = {{"kraken-server", "s1"}, {"kraken-group", group}, {"kraken-machine", "1"}};
  return r;
}

std::string StateOf(aws::Ec2Client& client, const std::string& id) {
  auto d = client.DescribeInstances({.instance_ids = {id}});
  if (!d || d->Instances().empty()) return "?";
  return d->Instances().front().state.name;
}

class EmulatorTest : public ::testing::Test {
 protected:
  RecordingBooter booter_;
  RunningEmulator emu_{booter_};
  aws::CurlTransport transport_;
  aws::Ec2Client client_{emu_.Config(), transport_};
};

TEST_F(EmulatorTest, SignedCallIsAnswered) {
  auto regions = client_.DescribeRegions();
  ASSERT_TRUE(regions) << regions.error().message;
  EXPECT_EQ(regions->regions.size(), DefaultRegions().size());
  EXPECT_EQ(regions->regions.front().endpoint, "ec2.us-east-1.amazonaws.com");
}

TEST_F(EmulatorTest, WrongSecretIsAuthFailure) {
  aws::Ec2Client bad(emu_.Config("us-east-1", "not-the-secret"), transport_);
  auto r = bad.DescribeRegions();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "AuthFailure");
  EXPECT_EQ(r.error().http_status, 401);
  EXPECT_EQ(r.error().kind, aws::ErrorKind::kPermanent);
  EXPECT_EQ(r.error().message, "AWS was not able to validate the provided access credentials");
}

TEST_F(EmulatorTest, UnknownAccessKeyAndUnknownRegionAreRefused) {
  aws::Ec2ClientConfig config = emu_.Config();
  config.credentials.access_key_id = "AKIAUNKNOWNKEY000000";
  aws::Ec2Client stranger(config, transport_);
  EXPECT_EQ(stranger.DescribeRegions().error().code, "AuthFailure");
  aws::Ec2Client mars(emu_.Config("mars-north-1"), transport_);
  EXPECT_EQ(mars.DescribeRegions().error().code, "AuthFailure");
}

TEST_F(EmulatorTest, InstanceGoesThroughItsStatesAndBootsItsUserData) {
  auto run = client_.RunInstances(Launch());
  ASSERT_TRUE(run) << run.error().message;
  ASSERT_EQ(run->reservation.instances.size(), 1u);
  const aws::Instance& launched = run->reservation.instances.front();
  EXPECT_EQ(launched.state.name, "pending");
  EXPECT_EQ(launched.TagValue("kraken-group"), "7");
  const std::string id = launched.instance_id;
  EXPECT_TRUE(WaitUntil([&] { return StateOf(client_, id) == "running"; }));
  ASSERT_EQ(booter_.booted().size(), 1u);
  EXPECT_EQ(booter_.booted()[0].second, "#!/bin/bash\necho hello\n");  // base64 undone

  auto mine = client_.DescribeInstances({.filters = {aws::TagFilter("kraken-group", "7")}});
  auto theirs = client_.DescribeInstances({.filters = {aws::TagFilter("kraken-group", "8")}});
  ASSERT_TRUE(mine && theirs);
  EXPECT_EQ(mine->Instances().size(), 1u);
  EXPECT_TRUE(theirs->Instances().empty());
  // Instances are regional: another region's endpoint does not see it.
  aws::Ec2Client west(emu_.Config("eu-west-1"), transport_);
  EXPECT_TRUE(west.DescribeInstances({})->Instances().empty());

  auto term = client_.TerminateInstances({id});
  ASSERT_TRUE(term) << term.error().message;
  EXPECT_EQ(term->instances[0].previous_state.name, "running");
  EXPECT_EQ(term->instances[0].current_state.name, "shutting-down");
  EXPECT_FALSE(booter_.running(id));
  EXPECT_TRUE(WaitUntil([&] { return StateOf(client_, id) == "terminated"; }));
  auto live =
      client_.DescribeInstances({.filters = {aws::InstanceStateFilter({"pending", "running"})}});
  EXPECT_TRUE(live->Instances().empty());
  // Terminating again changes nothing and is not an error, as in EC2.
  auto again = client_.TerminateInstances({id});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->instances[0].current_state.name, "terminated");
}

TEST_F(EmulatorTest, LaunchOptionsAreRecordedAndChecked) {
  aws::RunInstancesRequest r = Launch();
  r.spot = true;
  r.detailed_monitoring = true;
  r.unlimited_cpu_credits = true;
  r.root_device_name = "/dev/xvda";
  r.root_volume_gib = 30;
  r.subnet_id = "subnet-0abc";
  r.security_group_ids = {"sg-1", "sg-2"};
  r.key_name = "ci";
  r.iam_instance_profile = "kraken-agent";
  ASSERT_TRUE(client_.RunInstances(r));
  Json launch = emu_.OnLoop([](Emulator& e) { return e.InstancesJson(); })[0]["launch"];
  EXPECT_EQ(launch["spot"], true);
  EXPECT_EQ(launch["monitoring"], true);
  EXPECT_EQ(launch["cpu_credits"], "unlimited");
  EXPECT_EQ(launch["block_devices"][0]["volume_size"], 30);
  EXPECT_EQ(launch["security_group_ids"], Json({"sg-1", "sg-2"}));
  EXPECT_EQ(launch["iam_instance_profile"], "kraken-agent");

  r.instance_type = "m5.large";  // not burstable: no CPU credits
  auto refused = client_.RunInstances(r);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "InvalidParameterCombination");
  r = Launch();
  r.image_id = "debian-12";
  EXPECT_EQ(client_.RunInstances(r).error().code, "InvalidAMIID.Malformed");
}

TEST_F(EmulatorTest, ClientTokenMakesRunInstancesIdempotent) {
  aws::RunInstancesRequest r = Launch();
  r.client_token = "kraken-s1-42";
  auto first = client_.RunInstances(r);
  auto second = client_.RunInstances(r);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->reservation.instances[0].instance_id,
            second->reservation.instances[0].instance_id);
  EXPECT_EQ(client_.DescribeInstances({})->Instances().size(), 1u);
}

TEST_F(EmulatorTest, DescribePagesAreFollowed) {
  aws::RunInstancesRequest r = Launch();
  r.min_count = 7;
  r.max_count = 7;
  ASSERT_TRUE(client_.RunInstances(r));
  auto all = client_.DescribeInstances({.max_results = 5});
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->Instances().size(), 7u);
  auto bad = client_.DescribeInstances({.filters = {{"colour", {"blue"}}}});
  EXPECT_EQ(bad.error().code, "InvalidParameterValue");
}

TEST_F(EmulatorTest, InjectedFaultsAreClassifiedAsEc2Would) {
  ASSERT_TRUE(emu_.OnLoop([](Emulator& e) {
    return e.SetFaults({{"throttle", 2}, {"capacity", 1}});
  }));
  for (int i = 0; i < 2; ++i) {
    auto r = client_.DescribeRegions();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "RequestLimitExceeded");
    EXPECT_EQ(r.error().kind, aws::ErrorKind::kThrottled);
  }
  auto capacity = client_.RunInstances(Launch());
  ASSERT_FALSE(capacity);
  EXPECT_EQ(capacity.error().code, "InsufficientInstanceCapacity");
  EXPECT_EQ(capacity.error().kind, aws::ErrorKind::kCapacity);
  EXPECT_TRUE(client_.RunInstances(Launch()));

  ASSERT_TRUE(emu_.OnLoop([](Emulator& e) {
    return e.SetFaults({{"unknown_amis", {"ami-0123456789abcdef0"}}});
  }));
  auto missing = client_.RunInstances(Launch());
  EXPECT_EQ(missing.error().code, "InvalidAMIID.NotFound");
  EXPECT_EQ(missing.error().kind, aws::ErrorKind::kPermanent);
  EXPECT_FALSE(emu_.OnLoop([](Emulator& e) { return e.SetFaults({{"throttle", "lots"}}); }));
}

TEST_F(EmulatorTest, SpotInterruptionAndFailedLaunchEndInstancesWithAReason) {
  auto run = client_.RunInstances(Launch());
  ASSERT_TRUE(run);
  const std::string id = run->reservation.instances[0].instance_id;
  ASSERT_TRUE(WaitUntil([&] { return StateOf(client_, id) == "running"; }));
  ASSERT_TRUE(emu_.OnLoop([&](Emulator& e) { return e.SetFaults({{"interrupt", id}}); }));
  EXPECT_FALSE(booter_.running(id));
  ASSERT_TRUE(WaitUntil([&] { return StateOf(client_, id) == "terminated"; }));
  auto d = client_.DescribeInstances({.instance_ids = {id}});
  EXPECT_EQ(d->Instances()[0].state_reason_code, "Server.SpotInstanceTermination");

  ASSERT_TRUE(emu_.OnLoop([](Emulator& e) { return e.SetFaults({{"fail_launch", 1}}); }));
  auto failed = client_.RunInstances(Launch());
  ASSERT_TRUE(failed);
  const std::string failed_id = failed->reservation.instances[0].instance_id;
  ASSERT_TRUE(WaitUntil([&] { return StateOf(client_, failed_id) == "terminated"; }));
  EXPECT_EQ(
      client_.DescribeInstances({.instance_ids = {failed_id}})->Instances()[0].state_reason_code,
      "Server.InternalError");
  EXPECT_EQ(booter_.booted().size(), 1u);  // the failed launch never booted
  EXPECT_EQ(client_.DescribeInstances({.instance_ids = {"i-0000000000000000f"}}).error().code,
            "InvalidInstanceID.NotFound");
}

TEST(QueryReader, ListsFiltersGlobsAndBase64) {
  aws::QueryParams p = {{"InstanceId.2", "b"},
                        {"InstanceId.1", "a"},
                        {"Filter.1.Name", "tag:x"},
                        {"Filter.1.Value.1", "1"},
                        {"Filter.1.Value.2", "2"}};
  EXPECT_EQ(ListParam(p, "InstanceId"), (std::vector<std::string>{"a", "b"}));
  auto filters = FilterParams(p);
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_EQ(filters[0].values, (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(GlobMatch("t2.*", "t2.micro"));
  EXPECT_TRUE(GlobMatch("t?.micro", "t3.micro"));
  EXPECT_FALSE(GlobMatch("t2.*", "t3.micro"));
  EXPECT_EQ(Base64Decode("aGVsbG8="), "hello");
  EXPECT_FALSE(Base64Decode("a$b="));
  EXPECT_EQ(LoopbackPorts("server='http://127.0.0.1:8080' x localhost:9"),
            (std::vector<int>{9, 8080}));
}

// The real boot: the user data runs in a namespace of its own, reaches the host's loopback
// port it names (here the emulator's own), and writes only inside the instance.
TEST(NetnsBoot, UserDataRunsIsolatedAndReachesTheServerItNames) {
  if (!NetnsBooter::Supported()) GTEST_SKIP() << "needs root and iproute2";
  char dir[] = "/tmp/kraken-ec2emu-test-XXXXXX";
  ASSERT_TRUE(mkdtemp(dir));
  {
    NetnsBooter booter(dir, {});
    RunningEmulator emu(booter);
    aws::CurlTransport transport;
    aws::Ec2Client client(emu.Config(), transport);
    aws::RunInstancesRequest r = Launch();
    r.user_data =
        "#!/bin/bash\nset -e\nmkdir -p /usr/local/bin && echo mine > /usr/local/bin/kraken-probe\n"
        "curl -fsS http://127.0.0.1:" +
        std::to_string(emu.port()) +
        "/_emulator/stats | head -c 9; echo\nip -o link | wc -l\necho pid=$$\n";
    auto run = client.RunInstances(r);
    ASSERT_TRUE(run) << run.error().message;
    const std::string id = run->reservation.instances[0].instance_id;
    std::string console;
    EXPECT_TRUE(WaitUntil(
        [&] {
          console = booter.Console(id);
          return console.find("exited with status") != std::string::npos;
        },
        10s))
        << console;
    EXPECT_NE(console.find("{\"calls\""), std::string::npos) << console;  // reached the host port
    EXPECT_NE(console.find("\n1\n"), std::string::npos) << console;       // only its loopback
    EXPECT_NE(console.find("status 0"), std::string::npos) << console;
    EXPECT_FALSE(std::filesystem::exists("/usr/local/bin/kraken-probe"));  // host untouched
    EXPECT_TRUE(
        std::filesystem::exists(std::string(dir) + "/" + id + "/fs/usr/local/bin/kraken-probe"));
    ASSERT_TRUE(client.TerminateInstances({id}));
    EXPECT_FALSE(std::filesystem::exists(std::string(dir) + "/" + id));  // halted and cleaned
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kraken::ec2emu
