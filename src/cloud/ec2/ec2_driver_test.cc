#include "cloud/ec2/ec2_driver.h"

#include <gtest/gtest.h>

#include "cloud/ec2/ec2_driver_factory.h"
#include "ec2emu/test_emulator.h"

namespace kraken::ec2 {
namespace {

const std::string kSha(64, 'a');

class Ec2DriverTest : public ::testing::Test {
 protected:
  Ec2DriverConfig Config(const std::string& secret = ec2emu::EmulatorOptions{}.secret_access_key) {
    ec2emu::EmulatorOptions defaults;
    return {{{defaults.access_key_id, secret, ""}, emu_.url()}, "us-east-1", kSha, nullptr};
  }
  cloud::MachineSpec Spec(Id machine, const std::string& system = "ami-0123456789abcdef0") {
    cloud::MachineSpec spec;
    spec.machine_id = machine;
    spec.server_id = "srv1";
    spec.group_id = 3;
    spec.group_name = "aws-t2-micro";
    spec.system = system;
    spec.registration_token = "krt_one_time_" + std::to_string(machine);
    spec.server_url = "http://127.0.0.1:8080";
    spec.options = options_;
    return spec;
  }
  Json Launched(size_t n) {
    return emu_.OnLoop([](ec2emu::Emulator& e) { return e.InstancesJson(); })[n];
  }
  Status Faults(Json faults) {
    return emu_.OnLoop([&](ec2emu::Emulator& e) { return e.SetFaults(faults); });
  }

  ec2emu::RecordingBooter booter_;
  ec2emu::EmulatorOptions emulator_options_{.windows_amis = {"ami-00000000000000001"}};
  ec2emu::RunningEmulator emu_{booter_, emulator_options_};
  Json options_ = {{"method", "aws_ec2"},         {"region", "us-east-1"},
                   {"instance_type", "t2.micro"}, {"default_ami", "ami-0fedcba9876543210"},
                   {"instances_limit", 2},        {"spot", true},
                   {"monitoring", true},          {"cpu_credits_unlimited", true},
                   {"disk_size_gb", 20},          {"init_script", "echo init-ran"}};
  Ec2Driver driver_{Config()};
};

TEST_F(Ec2DriverTest, CreateLaunchesATaggedInstanceThatBootsTheAgent) {
  auto id = driver_.Create(Spec(11));
  ASSERT_TRUE(id) << id.error().message;
  Json i = Launched(0);
  EXPECT_EQ(i["instance_id"], *id);
  EXPECT_EQ(i["image_id"], "ami-0123456789abcdef0");  // the job's system
  EXPECT_EQ(i["instance_type"], "t2.micro");
  EXPECT_EQ(i["tags"], Json({{"kraken-server", "srv1"},
                             {"kraken-group", "3"},
                             {"kraken-machine", "11"},
                             {"Name", "kraken-aws-t2-micro-11"}}));
  EXPECT_EQ(i["launch"]["spot"], true);
  EXPECT_EQ(i["launch"]["monitoring"], true);
  EXPECT_EQ(i["launch"]["cpu_credits"], "unlimited");
  EXPECT_EQ(i["launch"]["block_devices"][0],
            Json({{"device_name", "/dev/xvda"}, {"volume_size", 20}, {"volume_type", "gp3"}}));
  const std::string user_data = i["user_data"];
  EXPECT_TRUE(user_data.starts_with("#!/bin/sh\n"));
  EXPECT_NE(user_data.find("'krt_one_time_11'"), std::string::npos);
  EXPECT_NE(user_data.find("'http://127.0.0.1:8080'"), std::string::npos);
  EXPECT_NE(user_data.find(kSha), std::string::npos);
  EXPECT_NE(user_data.find("echo init-ran"), std::string::npos);
  EXPECT_EQ(user_data.find(ec2emu::EmulatorOptions{}.secret_access_key), std::string::npos);
}

TEST_F(Ec2DriverTest, ImageComesFromTheSystemOrTheDefaultAmi) {
  ASSERT_TRUE(driver_.Create(Spec(1, "any")));
  EXPECT_EQ(Launched(0)["image_id"], "ami-0fedcba9876543210");
  // A Windows image: no agent for it, so no instance, and a failure that says why.
  auto windows = driver_.Create(Spec(2, "ami-00000000000000001"));
  ASSERT_FALSE(windows);
  EXPECT_EQ(windows.error().failure, cloud::FailureClass::kPermanent);
  EXPECT_NE(windows.error().message.find("Windows instances are not supported yet"),
            std::string::npos)
      << windows.error().message;
  EXPECT_EQ(emu_.OnLoop([](ec2emu::Emulator& e) { return e.InstancesJson(); }).size(), 1u);
  options_.erase("default_ami");
  auto none = driver_.Create(Spec(3, "any"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().failure, cloud::FailureClass::kPermanent);
  EXPECT_NE(none.error().message.find("default_ami"), std::string::npos);
}

TEST_F(Ec2DriverTest, CreditsOnlyForBurstableTypesAndRetriesLaunchOnce) {
  options_["instance_type"] = "m5.large";
  ASSERT_TRUE(driver_.Create(Spec(5)));
  EXPECT_FALSE(Launched(0)["launch"].contains("cpu_credits"));
  // The same machine created again (an answer lost in transit): still one instance.
  ASSERT_TRUE(driver_.Create(Spec(5)));
  EXPECT_EQ(emu_.OnLoop([](ec2emu::Emulator& e) { return e.InstancesJson(); }).size(), 1u);
}

TEST_F(Ec2DriverTest, ListFindsTheGroupsLiveInstancesAndDestroyEndsThem) {
  auto a = driver_.Create(Spec(1));
  auto b = driver_.Create(Spec(2));
  ASSERT_TRUE(a && b);
  Json other = options_;
  cloud::MachineSpec foreign = Spec(3);
  foreign.group_id = 4;
  ASSERT_TRUE(driver_.Create(foreign));
  auto listed = driver_.List("srv1", 3);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].tags.at("kraken-machine"), "1");
  EXPECT_TRUE(driver_.List("another-server", 3)->empty());

  ASSERT_TRUE(driver_.Destroy(*a));
  listed = driver_.List("srv1", 3);
  ASSERT_EQ(listed->size(), 1u);  // shutting-down counts as gone
  EXPECT_EQ((*listed)[0].driver_id, *b);
  EXPECT_TRUE(driver_.Destroy(*a));                     // already gone: fine
  EXPECT_TRUE(driver_.Destroy("i-0000000000000000f"));  // never existed: fine
}

TEST_F(Ec2DriverTest, ProviderErrorsMapOntoFailureClasses) {
  ASSERT_TRUE(Faults({{"throttle", 1}}));
  EXPECT_EQ(driver_.Create(Spec(1)).error().failure, cloud::FailureClass::kThrottled);
  ASSERT_TRUE(Faults({{"capacity", 1}}));
  auto capacity = driver_.Create(Spec(1));
  EXPECT_EQ(capacity.error().failure, cloud::FailureClass::kCapacity);
  EXPECT_EQ(capacity.error().code, "InsufficientInstanceCapacity");
  ASSERT_TRUE(Faults({{"unknown_amis", {"ami-0123456789abcdef0"}}}));
  EXPECT_EQ(driver_.Create(Spec(1)).error().failure, cloud::FailureClass::kPermanent);
  Ec2Driver wrong(Config("wrong-secret"));
  auto denied = wrong.List("srv1", 3);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().failure, cloud::FailureClass::kPermanent);
  EXPECT_EQ(denied.error().code, "AuthFailure");
  options_["instance_type"] = "";
  EXPECT_EQ(driver_.Create(Spec(1)).error().failure, cloud::FailureClass::kPermanent);
}

TEST(Ec2Options, BadValuesNameTheirField) {
  Json good = {{"region", "eu-west-1"}, {"instance_type", "t3.micro"}};
  ASSERT_TRUE(ParseEc2Options(good));
  auto field = [&](const char* key, Json value) {
    Json d = good;
    d[key] = value;
    auto r = ParseEc2Options(d);
    return r ? std::string() : r.error().field;
  };
  EXPECT_EQ(field("region", "Europe"), "deployment.region");
  EXPECT_EQ(field("default_ami", "debian-12"), "deployment.default_ami");
  EXPECT_EQ(field("disk_size_gb", -1), "deployment.disk_size_gb");
  EXPECT_EQ(field("spot", "yes"), "deployment.spot");
  EXPECT_EQ(field("security_group_ids", Json({"web"})), "deployment.security_group_ids");
  EXPECT_EQ(ParseEc2Options(Json{{"region", "eu-west-1"}}).error().field,
            "deployment.instance_type");
}

TEST(Ec2DriverFactory, SharesDriversPerRegionAndAccount) {
  Ec2DriverFactory factory(kSha);
  Json d = {{"region", "eu-west-1"}, {"instance_type", "t3.micro"}};
  EXPECT_EQ(factory.For(d, std::nullopt).error().failure, cloud::FailureClass::kPermanent);
  AwsAccount account{{"AKIAEXAMPLE000000000", "secret", ""}, "http://127.0.0.1:1"};
  auto a = factory.For(d, account);
  auto b = factory.For(d, account);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->get(), b->get());
  account.credentials.secret_access_key = "rotated";
  auto c = factory.For(d, account);
  EXPECT_NE(a->get(), c->get());
  d["region"] = "us-west-2";
  EXPECT_NE(c->get(), factory.For(d, account)->get());
}

}  // namespace
}  // namespace kraken::ec2
