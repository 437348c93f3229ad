// The emulator's instances: RunInstances, DescribeInstances, TerminateInstances and the
// state machine behind them. Authentication, the other actions and the admin API are in
// emulator_api.cc.
#include "ec2emu/emulator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <regex>

#include "cloud/aws/ec2_query.h"
#include "cloud/aws/ec2_xml_writer.h"
#include "ec2emu/query_reader.h"

namespace kraken::ec2emu {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Burstable(const std::string& type) {
  return type.starts_with("t2.") || type.starts_with("t3.") || type.starts_with("t3a.") ||
         type.starts_with("t4g.");
}

// Whether `instance` passes every filter (EC2: filters AND, the values of one filter OR).
aws::Result<bool> Matches(const aws::Instance& i, const std::string& reservation_id,
                          const std::vector<aws::Filter>& filters) {
  for (const aws::Filter& f : filters) {
    std::vector<std::string> have;
    if (f.name.starts_with("tag:")) {
      if (auto v = i.TagValue(f.name.substr(4))) have.push_back(*v);
    } else if (f.name == "tag-key") {
      for (const aws::Tag& t : i.tags) have.push_back(t.key);
    } else if (f.name == "instance-state-name") {
      have.push_back(i.state.name);
    } else if (f.name == "instance-state-code") {
      have.push_back(std::to_string(i.state.code));
    } else if (f.name == "instance-id") {
      have.push_back(i.instance_id);
    } else if (f.name == "instance-type") {
      have.push_back(i.instance_type);
    } else if (f.name == "image-id") {
      have.push_back(i.image_id);
    } else if (f.name == "reservation-id") {
      have.push_back(reservation_id);
    } else if (f.name == "instance-lifecycle") {
      if (i.spot) have.push_back("spot");
    } else {
      return Ec2Fail("InvalidParameterValue", "The filter '" + f.name + "' is invalid");
    }
    bool any = false;
    for (const std::string& pattern : f.values)
      for (const std::string& value : have) any = any || GlobMatch(pattern, value);
    if (!any) return false;
  }
  return true;
}

}  // namespace

Emulator::Emulator(http::Loop& loop, Booter& booter, EmulatorOptions options)
    : loop_(loop), booter_(booter), options_(std::move(options)) {
  if (options_.regions.empty()) options_.regions = DefaultRegions();
}

Emulator::~Emulator() {
  for (auto& [id, record] : instances_) {
    record->timer.reset();
    booter_.Halt(id);
  }
}

void Emulator::SetState(Record& record, int code, const std::string& name) {
  record.instance.state = {code, name};
  const int64_t now = NowMs();
  if (code == 16) record.running_ms = now;
  if (code == 32) record.shutting_down_ms = now;
  if (code == 48) record.terminated_ms = now;
  CountAlive();
}

void Emulator::CountAlive() {
  int active = 0, not_terminated = 0;
  for (const auto& [id, r] : instances_) {
    if (r->instance.state.code == 0 || r->instance.state.code == 16) ++active;
    if (r->instance.state.code != 48) ++not_terminated;
  }
  max_active_ = std::max(max_active_, active);
  max_not_terminated_ = std::max(max_not_terminated_, not_terminated);
}

void Emulator::StartBoot(Record& record) {
  SetState(record, 16, "running");
  if (record.fail_boot) {
    record.console = "kraken ec2-emulator: boot failed (injected fault); user data not run\n";
    return;
  }
  if (auto st =
          booter_.Boot(record.instance.instance_id, record.instance.image_id, record.user_data);
      !st) {
    record.console = "kraken ec2-emulator: boot failed: " + st.error().message + "\n";
    spdlog::warn("ec2-emulator: {} did not boot: {}", record.instance.instance_id,
                 st.error().message);
    return;
  }
  record.booted = true;
}

void Emulator::BeginShutdown(Record& record, const std::string& reason_code,
                             const std::string& reason_message) {
  record.timer.reset();
  record.instance.state_reason_code = reason_code;
  record.instance.state_reason_message = reason_message;
  SetState(record, 32, "shutting-down");
  if (record.booted) {
    record.console = booter_.Console(record.instance.instance_id);
    booter_.Halt(record.instance.instance_id);
    record.booted = false;
  }
  Record* r = &record;
  record.timer = loop_.After(std::chrono::milliseconds(options_.shutdown_ms),
                             [this, r] { SetState(*r, 48, "terminated"); });
}

Status Emulator::Interrupt(const std::string& instance_id) {
  auto it = instances_.find(instance_id);
  if (it == instances_.end()) return NotFound("no instance " + instance_id);
  Record& r = *it->second;
  if (r.instance.state.code == 32 || r.instance.state.code == 48) return {};
  BeginShutdown(r, "Server.SpotInstanceTermination",
                "Server.SpotInstanceTermination: Spot instance termination");
  return {};
}

void Emulator::ForgetOldTerminated() {
  const int64_t horizon = NowMs() - options_.terminated_visible_ms;
  std::erase_if(launch_order_, [&](const std::string& id) {
    auto it = instances_.find(id);
    if (it->second->instance.state.code != 48 || it->second->terminated_ms > horizon) return false;
    instances_.erase(it);
    return true;
  });
}

namespace {

// The launch options of a request that EC2 checks but the emulator only records.
aws::Result<Json> LaunchOptions(const aws::QueryParams& params, const std::string& type) {
  Json launch = Json::object();
  launch["spot"] = aws::ParamValue(params, "InstanceMarketOptions.MarketType") == "spot";
  launch["monitoring"] = aws::ParamValue(params, "Monitoring.Enabled") == "true";
  const std::string credits(aws::ParamValue(params, "CreditSpecification.CpuCredits"));
  if (!credits.empty()) {
    if (credits != "standard" && credits != "unlimited")
      return Ec2Fail("InvalidParameterValue", "Invalid value '" + credits + "' for CpuCredits.");
    if (!Burstable(type))
      return Ec2Fail(
          "InvalidParameterCombination",
          "The parameter CreditSpecification is not supported for " + type + " instances.");
    launch["cpu_credits"] = credits;
  }
  for (int n : MemberIndexes(params, "BlockDeviceMapping")) {
    const std::string base = "BlockDeviceMapping." + std::to_string(n);
    KR_ASSIGN(auto size, IntParam(params, base + ".Ebs.VolumeSize", 1, 16384));
    Json disk = {{"device_name", std::string(aws::ParamValue(params, base + ".DeviceName"))}};
    if (size) disk["volume_size"] = *size;
    disk["volume_type"] = std::string(aws::ParamValue(params, base + ".Ebs.VolumeType"));
    launch["block_devices"].push_back(disk);
  }
  launch["security_group_ids"] = ListParam(params, "SecurityGroupId");
  launch["key_name"] = std::string(aws::ParamValue(params, "KeyName"));
  launch["iam_instance_profile"] = std::string(aws::ParamValue(params, "IamInstanceProfile.Name"));
  return launch;
}

std::vector<aws::Tag> InstanceTags(const aws::QueryParams& params) {
  std::vector<aws::Tag> tags;
  for (int n : MemberIndexes(params, "TagSpecification")) {
    const std::string base = "TagSpecification." + std::to_string(n);
    if (aws::ParamValue(params, base + ".ResourceType") != "instance") continue;
    for (int m : MemberIndexes(params, base + ".Tag")) {
      const std::string tag = base + ".Tag." + std::to_string(m);
      tags.push_back({std::string(aws::ParamValue(params, tag + ".Key")),
                      std::string(aws::ParamValue(params, tag + ".Value"))});
    }
  }
  return tags;
}

}  // namespace

aws::Result<Emulator::Launch> Emulator::ParseLaunch(const aws::QueryParams& params) {
  Launch launch;
  launch.image_id = std::string(aws::ParamValue(params, "ImageId"));
  if (launch.image_id.empty())
    return Ec2Fail("MissingParameter", "The request must contain the parameter ImageId");
  static const std::regex kAmi("ami-([0-9a-f]{8}|[0-9a-f]{17})");
  if (!std::regex_match(launch.image_id, kAmi))
    return Ec2Fail("InvalidAMIID.Malformed",
                   "Invalid id: \"" + launch.image_id + "\" (expecting \"ami-...\")");
  launch.type = std::string(aws::ParamValue(params, "InstanceType"));
  if (launch.type.empty()) launch.type = "m1.small";
  const auto& types = InstanceTypes();
  if (std::find(types.begin(), types.end(), launch.type) == types.end())
    return Ec2Fail("InvalidParameterValue",
                   "Invalid value '" + launch.type + "' for InstanceType.");
  KR_ASSIGN(auto min_count, IntParam(params, "MinCount", 1, 1000));
  KR_ASSIGN(auto max_count, IntParam(params, "MaxCount", 1, 1000));
  if (!min_count)
    return Ec2Fail("MissingParameter", "The request must contain the parameter MinCount");
  if (!max_count)
    return Ec2Fail("MissingParameter", "The request must contain the parameter MaxCount");
  if (*min_count > *max_count)
    return Ec2Fail("InvalidParameterValue",
                   "Invalid value '" + std::to_string(*min_count) +
                       "' for minCount. Must be less than or equal to maxCount");
  launch.count = *max_count;
  if (std::string_view encoded = aws::ParamValue(params, "UserData"); !encoded.empty()) {
    auto decoded = Base64Decode(encoded);
    if (!decoded) return Ec2Fail("InvalidParameterValue", "Invalid BASE64 encoding of user data.");
    if (encoded.size() > 16384 * 4 / 3 + 4)
      return Ec2Fail("InvalidParameterValue", "User data is limited to 16384 bytes");
    launch.user_data = std::move(*decoded);
  }
  KR_ASSIGN(launch.options, LaunchOptions(params, launch.type));
  launch.subnet = std::string(aws::ParamValue(params, "SubnetId"));
  if (!launch.subnet.empty() && !launch.subnet.starts_with("subnet-"))
    return Ec2Fail("InvalidSubnetID.Malformed", "Invalid id: \"" + launch.subnet + "\"");
  launch.tags = InstanceTags(params);
  return launch;
}

aws::Result<std::string> Emulator::RunInstances(const std::string& region,
                                                const aws::QueryParams& params) {
  KR_ASSIGN(Launch launch, ParseLaunch(params));
  if (faults_.unknown_amis.count(launch.image_id))
    return Ec2Fail("InvalidAMIID.NotFound",
                   "The image id '[" + launch.image_id + "]' does not exist");
  // A retried request with the same client token launches nothing new.
  const std::string client_token(aws::ParamValue(params, "ClientToken"));
  aws::RunInstancesResponse response;
  response.request_id = NewRequestId();
  if (!client_token.empty()) {
    if (auto it = client_tokens_.find(client_token); it != client_tokens_.end()) {
      response.reservation = ReservationOf(it->second);
      return aws::WriteRunInstancesResponse(response);
    }
  }
  if (faults_.capacity > 0) {
    --faults_.capacity;
    const std::string& type = launch.type;
    return Ec2Fail("InsufficientInstanceCapacity",
                   "We currently do not have sufficient " + type +
                       " capacity in the Availability Zone you requested (" + region +
                       "a). Our system will be working on provisioning additional capacity. "
                       "You can currently get " +
                       type +
                       " capacity by not specifying an Availability Zone in your request or "
                       "choosing " +
                       region + "b, " + region + "c.",
                   500);
  }
  response.reservation = ReservationOf(LaunchInstances(region, launch, client_token));
  return aws::WriteRunInstancesResponse(response);
}

std::string Emulator::LaunchInstances(const std::string& region, const Launch& launch,
                                      const std::string& client_token) {
  const std::string reservation_id = NewResourceId("r");
  if (!client_token.empty()) client_tokens_[client_token] = reservation_id;
  const int64_t now = NowMs();
  const int boot_ms = faults_.slow_boot_ms >= 0 ? faults_.slow_boot_ms : options_.boot_ms;
  for (int64_t n = 0; n < launch.count; ++n) {
    auto record = std::make_unique<Record>();
    aws::Instance& i = record->instance;
    i.instance_id = NewResourceId("i");
    i.image_id = launch.image_id;
    i.state = {0, "pending"};
    i.instance_type = launch.type;
    i.launch_time = IsoTime(now);
    i.availability_zone = region + "a";
    i.subnet_id = launch.subnet.empty() ? "subnet-0kraken0default0" : launch.subnet;
    i.spot = launch.options["spot"];
    i.tags = launch.tags;
    record->region = region;
    record->reservation_id = reservation_id;
    record->user_data = launch.user_data;
    record->launched_ms = now;
    record->launch = launch.options;
    if (faults_.fail_launch > 0) {
      --faults_.fail_launch;
      record->fail_launch = true;
    } else if (faults_.fail_boot > 0) {
      --faults_.fail_boot;
      record->fail_boot = true;
    }
    Record* r = record.get();
    record->timer = loop_.After(std::chrono::milliseconds(boot_ms), [this, r] {
      if (r->fail_launch) {
        BeginShutdown(*r, "Server.InternalError", "Server.InternalError: Internal error on launch");
      } else {
        StartBoot(*r);
      }
    });
    launch_order_.push_back(i.instance_id);
    instances_[i.instance_id] = std::move(record);
  }
  CountAlive();
  return reservation_id;
}

aws::Reservation Emulator::ReservationOf(const std::string& reservation_id) const {
  aws::Reservation reservation;
  reservation.reservation_id = reservation_id;
  reservation.owner_id = options_.owner_id;
  for (const std::string& id : launch_order_) {
    const Record& r = *instances_.at(id);
    if (r.reservation_id == reservation_id) reservation.instances.push_back(r.instance);
  }
  return reservation;
}

aws::Result<std::string> Emulator::DescribeInstances(const std::string& region,
                                                     const aws::QueryParams& params) {
  ForgetOldTerminated();
  const std::vector<std::string> ids = ListParam(params, "InstanceId");
  const std::vector<aws::Filter> filters = FilterParams(params);
  KR_ASSIGN(auto max_results, IntParam(params, "MaxResults", 5, 1000));
  if (max_results && !ids.empty())
    return Ec2Fail("InvalidParameterCombination",
                   "The parameter instancesSet cannot be used with the parameter maxResults");
  for (const std::string& id : ids) {
    auto it = instances_.find(id);
    if (!id.starts_with("i-"))
      return Ec2Fail("InvalidInstanceID.Malformed", "Invalid id: \"" + id + "\"");
    if (it == instances_.end() || it->second->region != region)
      return Ec2Fail("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
  }
  std::vector<const Record*> matched;
  for (const std::string& id : launch_order_) {
    const Record& r = *instances_.at(id);
    if (r.region != region) continue;
    if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
    KR_ASSIGN(bool ok, Matches(r.instance, r.reservation_id, filters));
    if (ok) matched.push_back(&r);
  }
  size_t start = 0;
  if (std::string token(aws::ParamValue(params, "NextToken")); !token.empty()) {
    if (!token.starts_with("kraken-emu-") || token.size() > 20)
      return Ec2Fail("InvalidParameterValue", "Invalid value '" + token + "' for nextToken");
    start = std::stoul(token.substr(11));
  }
  size_t end = max_results ? std::min(matched.size(), start + static_cast<size_t>(*max_results))
                           : matched.size();
  aws::DescribeInstancesResponse response;
  response.request_id = NewRequestId();
  for (size_t n = start; n < end; ++n) {
    const Record& r = *matched[n];
    if (response.reservations.empty() ||
        response.reservations.back().reservation_id != r.reservation_id) {
      response.reservations.push_back({r.reservation_id, options_.owner_id, {}});
    }
    response.reservations.back().instances.push_back(r.instance);
  }
  if (end < matched.size()) response.next_token = "kraken-emu-" + std::to_string(end);
  return aws::WriteDescribeInstancesResponse(response);
}

aws::Result<std::string> Emulator::TerminateInstances(const std::string& region,
                                                      const aws::QueryParams& params) {
  const std::vector<std::string> ids = ListParam(params, "InstanceId");
  if (ids.empty())
    return Ec2Fail("MissingParameter", "The request must contain the parameter InstanceId");
  for (const std::string& id : ids) {
    if (!id.starts_with("i-"))
      return Ec2Fail("InvalidInstanceID.Malformed", "Invalid id: \"" + id + "\"");
    auto it = instances_.find(id);
    if (it == instances_.end() || it->second->region != region)
      return Ec2Fail("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
  }
  aws::TerminateInstancesResponse response;
  response.request_id = NewRequestId();
  for (const std::string& id : ids) {
    Record& r = *instances_.at(id);
    aws::InstanceStateChange change;
    change.instance_id = id;
    change.previous_state = r.instance.state;
    if (r.instance.state.code == 0 || r.instance.state.code == 16)
      BeginShutdown(r, "Client.UserInitiatedShutdown",
                    "Client.UserInitiatedShutdown: User initiated shutdown");
    change.current_state = r.instance.state;
    response.instances.push_back(change);
  }
  return aws::WriteTerminateInstancesResponse(response);
}

}  // namespace kraken::ec2emu
