// The emulator's front door: SigV4 authentication, throttling, action dispatch, the
// catalogue actions (regions, instance types, images), and the admin API.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <regex>

#include "cloud/aws/ec2_xml_writer.h"
#include "cloud/aws/sigv4.h"
#include "ec2emu/emulator.h"
#include "ec2emu/query_reader.h"

namespace kraken::ec2emu {
namespace {

constexpr const char* kBadCredentials =
    "AWS was not able to validate the provided access credentials";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

http::Response Xml(int status, std::string body) {
  return http::Response::Text(status, std::move(body), "text/xml;charset=UTF-8");
}

http::Response JsonReply(int status, const Json& body) {
  return http::Response::Json(status, body.dump());
}

http::Response JsonError(int status, const std::string& message) {
  return JsonReply(status, Json{{"error", {{"message", message}}}});
}

}  // namespace

const std::vector<std::string>& DefaultRegions() {
  static const std::vector<std::string> kRegions = {
      "us-east-1",      "us-east-2",      "us-west-1",      "us-west-2",
      "ca-central-1",   "eu-west-1",      "eu-west-2",      "eu-west-3",
      "eu-central-1",   "eu-north-1",     "ap-south-1",     "ap-northeast-1",
      "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "sa-east-1"};
  return kRegions;
}

const std::vector<std::string>& InstanceTypes() {
  static const std::vector<std::string> kTypes = {
      "m1.small",  "t2.nano",   "t2.micro",  "t2.small",  "t2.medium", "t2.large",
      "t3.nano",   "t3.micro",  "t3.small",  "t3.medium", "t3.large",  "t3a.micro",
      "t3a.small", "t4g.micro", "t4g.small", "m5.large",  "m5.xlarge", "c5.large",
      "c5.xlarge", "r5.large",  "m6i.large", "c6i.large"};
  return kTypes;
}

void Emulator::Register(http::Router& router) {
  router.Post("/", [this](http::Request& r) { return HandleApi(r); });
  router.Get("/", [this](http::Request& r) { return HandleApi(r); });
  router.Get("/_emulator/faults", [this](http::Request&) { return JsonReply(200, FaultsJson()); });
  router.Post("/_emulator/faults", [this](http::Request& r) {
    Json body = Json::parse(r.body.empty() ? "{}" : r.body, nullptr, false);
    if (!body.is_object()) return JsonError(400, "the body must be a JSON object");
    if (auto st = SetFaults(body); !st)
      return JsonReply(
          st.error().code == ErrorCode::kNotFound ? 404 : 400,
          Json{{"error", {{"message", st.error().message}, {"field", st.error().field}}}});
    return JsonReply(200, FaultsJson());
  });
  router.Delete("/_emulator/faults", [this](http::Request&) {
    faults_ = Faults{};
    return JsonReply(200, FaultsJson());
  });
  router.Get("/_emulator/instances",
             [this](http::Request&) { return JsonReply(200, InstancesJson()); });
  router.Get("/_emulator/instances/{id}/console", [this](http::Request& r) {
    auto it = instances_.find(r.params["id"]);
    if (it == instances_.end()) return JsonError(404, "no instance " + r.params["id"]);
    const Record& record = *it->second;
    return http::Response::Text(
        200, record.booted ? booter_.Console(record.instance.instance_id) : record.console);
  });
  router.Get("/_emulator/stats", [this](http::Request&) { return JsonReply(200, StatsJson()); });
}

http::Response Emulator::HandleApi(const http::Request& request) {
  const std::string request_id = NewRequestId();
  auto error = [&](aws::AwsError e) {
    e.request_id = request_id;
    ++errors_[e.code];
    return Xml(e.http_status ? e.http_status : 400, aws::WriteErrorResponse(e));
  };
  auto fail = [&](std::string code, std::string message, int status) {
    return error(aws::MakeAwsError(std::move(code), std::move(message), status));
  };

  // Authentication: the Authorization header, checked against the one key we know.
  aws::SignableRequest signable;
  signable.method = request.method;
  signable.target = request.target;
  for (const auto& [name, value] : request.headers) signable.headers.push_back({name, value});
  signable.body = request.body;
  std::string_view authorization = request.Header("authorization");
  if (authorization.empty())
    return fail("MissingAuthenticationToken",
                "The request must contain either a valid (registered) AWS access key ID or X.509 "
                "certificate.",
                401);
  auto header = aws::ParseAuthorizationHeader(authorization);
  if (!header) return fail("IncompleteSignature", header.error().message, 400);
  if (header->access_key_id != options_.access_key_id)
    return fail("AuthFailure", kBadCredentials, 401);
  if (header->service != "ec2")
    return fail("AuthFailure", "Credential should be scoped to correct service: 'ec2'.", 401);
  const std::string region = header->region;
  if (std::find(options_.regions.begin(), options_.regions.end(), region) == options_.regions.end())
    return fail("AuthFailure", "Credential should be scoped to a valid region.", 401);
  auto verified =
      aws::VerifySignature(signable, options_.secret_access_key, std::chrono::system_clock::now());
  if (!verified) {
    if (verified.error().code == "RequestExpired")
      return fail("RequestExpired", verified.error().message, 400);
    return fail("AuthFailure", kBadCredentials, 401);
  }

  // The parameters: the query string's, then the form body's.
  aws::QueryParams params;
  if (size_t q = request.target.find('?'); q != std::string::npos)
    params = aws::ParseQueryString(std::string_view(request.target).substr(q + 1), true);
  if (!request.body.empty()) {
    for (auto& p : aws::ParseQueryString(request.body, true)) params.push_back(std::move(p));
  }
  const std::string action(aws::ParamValue(params, "Action"));
  ++calls_[action.empty() ? "(none)" : action];

  if (faults_.throttle > 0 || NowMs() < faults_.throttle_until_ms) {
    if (faults_.throttle > 0) --faults_.throttle;
    return fail("RequestLimitExceeded", "Request limit exceeded.", 503);
  }
  if (action.empty())
    return fail("MissingAction", "The request must contain the parameter Action", 400);
  if (aws::ParamValue(params, "Version").empty())
    return fail("MissingParameter", "The request must contain the parameter Version", 400);

  auto result = Dispatch(region, params);
  if (!result) return error(std::move(result.error()));
  return Xml(200, std::move(*result));
}

aws::Result<std::string> Emulator::Dispatch(const std::string& region,
                                            const aws::QueryParams& params) {
  const std::string_view action = aws::ParamValue(params, "Action");
  if (action == "RunInstances") return RunInstances(region, params);
  if (action == "DescribeInstances") return DescribeInstances(region, params);
  if (action == "TerminateInstances") return TerminateInstances(region, params);
  if (action == "DescribeRegions") return DescribeRegions(params);
  if (action == "DescribeInstanceTypeOfferings")
    return DescribeInstanceTypeOfferings(region, params);
  if (action == "DescribeImages") return DescribeImages(params);
  return Ec2Fail("InvalidAction",
                 "The action " + std::string(action) + " is not valid for this web service.");
}

aws::Result<std::string> Emulator::DescribeRegions(const aws::QueryParams& params) {
  std::vector<std::string> names = ListParam(params, "RegionName");
  for (const std::string& name : names) {
    if (std::find(options_.regions.begin(), options_.regions.end(), name) == options_.regions.end())
      return Ec2Fail("InvalidParameterValue", "Invalid region: " + name);
  }
  aws::DescribeRegionsResponse response;
  response.request_id = NewRequestId();
  for (const std::string& name : options_.regions) {
    if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
    response.regions.push_back({name, "ec2." + name + ".amazonaws.com", "opt-in-not-required"});
  }
  return aws::WriteDescribeRegionsResponse(response);
}

aws::Result<std::string> Emulator::DescribeInstanceTypeOfferings(const std::string& region,
                                                                 const aws::QueryParams& params) {
  std::string location_type(aws::ParamValue(params, "LocationType"));
  if (location_type.empty()) location_type = "region";
  std::vector<std::string> locations;
  if (location_type == "region") {
    locations = {region};
  } else if (location_type == "availability-zone") {
    locations = {region + "a", region + "b", region + "c"};
  } else if (location_type == "availability-zone-id") {
    locations = {region.substr(0, 3) + "-az1", region.substr(0, 3) + "-az2"};
  } else {
    return Ec2Fail("InvalidParameterValue",
                   "Invalid value '" + location_type + "' for LocationType.");
  }
  KR_ASSIGN(auto max_results, IntParam(params, "MaxResults", 5, 1000));
  std::vector<aws::InstanceTypeOffering> all;
  const std::vector<aws::Filter> filters = FilterParams(params);
  for (const std::string& type : InstanceTypes()) {
    for (const std::string& location : locations) {
      bool keep = true;
      for (const aws::Filter& f : filters) {
        const std::string* value = f.name == "instance-type" ? &type
                                   : f.name == "location"    ? &location
                                                             : nullptr;
        if (!value)
          return Ec2Fail("InvalidParameterValue", "The filter '" + f.name + "' is invalid");
        bool any = false;
        for (const std::string& pattern : f.values) any = any || GlobMatch(pattern, *value);
        keep = keep && any;
      }
      if (keep) all.push_back({type, location_type, location});
    }
  }
  size_t start = 0;
  if (std::string token(aws::ParamValue(params, "NextToken")); !token.empty()) {
    if (!token.starts_with("kraken-emu-") || token.size() > 20)
      return Ec2Fail("InvalidParameterValue", "Invalid value '" + token + "' for nextToken");
    start = std::stoul(token.substr(11));
  }
  size_t end =
      max_results ? std::min(all.size(), start + static_cast<size_t>(*max_results)) : all.size();
  aws::DescribeInstanceTypeOfferingsResponse response;
  response.request_id = NewRequestId();
  for (size_t n = start; n < end; ++n) response.offerings.push_back(all[n]);
  if (end < all.size()) response.next_token = "kraken-emu-" + std::to_string(end);
  return aws::WriteDescribeInstanceTypeOfferingsResponse(response);
}

aws::Result<std::string> Emulator::DescribeImages(const aws::QueryParams& params) {
  static const std::regex kAmi("ami-([0-9a-f]{8}|[0-9a-f]{17})");
  aws::DescribeImagesResponse response;
  response.request_id = NewRequestId();
  for (const std::string& id : ListParam(params, "ImageId")) {
    if (!std::regex_match(id, kAmi))
      return Ec2Fail("InvalidAMIID.Malformed",
                     "Invalid id: \"" + id + "\" (expecting \"ami-...\")");
    if (faults_.unknown_amis.count(id))
      return Ec2Fail("InvalidAMIID.NotFound", "The image id '[" + id + "]' does not exist");
    const bool windows = std::find(options_.windows_amis.begin(), options_.windows_amis.end(),
                                   id) != options_.windows_amis.end();
    aws::Image image;
    image.image_id = id;
    image.name = windows ? "kraken-emulator-windows-" + id : "kraken-emulator-linux-" + id;
    image.description = "An image of the Kraken EC2 emulator";
    image.state = "available";
    image.owner_id = options_.owner_id;
    image.creation_date = "2024-01-01T00:00:00.000Z";
    image.architecture = "x86_64";
    image.platform = windows ? aws::Platform::kWindows : aws::Platform::kLinux;
    image.platform_details = windows ? "Windows" : "Linux/UNIX";
    image.root_device_type = "ebs";
    image.root_device_name = windows ? "/dev/sda1" : "/dev/xvda";
    response.images.push_back(std::move(image));
  }
  return aws::WriteDescribeImagesResponse(response);
}

Json Emulator::FaultsJson() const {
  return Json{{"throttle", faults_.throttle},
              {"throttle_ms", std::max<int64_t>(0, faults_.throttle_until_ms - NowMs())},
              {"capacity", faults_.capacity},
              {"slow_boot_ms", faults_.slow_boot_ms},
              {"fail_boot", faults_.fail_boot},
              {"fail_launch", faults_.fail_launch},
              {"unknown_amis", faults_.unknown_amis}};
}

Status Emulator::SetFaults(const Json& body) {
  Faults next = faults_;
  for (const auto& [key, value] : body.items()) {
    if (key == "interrupt" || key == "unknown_amis") continue;
    if (!value.is_number_integer() || value.get<int64_t>() < (key == "slow_boot_ms" ? -1 : 0))
      return Invalid(key, key + " must be a whole number, 0 or more");
    const int64_t n = value.get<int64_t>();
    if (key == "throttle")
      next.throttle = static_cast<int>(n);
    else if (key == "throttle_ms")
      next.throttle_until_ms = n ? NowMs() + n : 0;
    else if (key == "capacity")
      next.capacity = static_cast<int>(n);
    else if (key == "slow_boot_ms")
      next.slow_boot_ms = static_cast<int>(n);
    else if (key == "fail_boot")
      next.fail_boot = static_cast<int>(n);
    else if (key == "fail_launch")
      next.fail_launch = static_cast<int>(n);
    else
      return Invalid(key, "unknown fault " + key);
  }
  if (auto it = body.find("unknown_amis"); it != body.end()) {
    if (!it->is_array()) return Invalid("unknown_amis", "unknown_amis must be a list of AMI ids");
    next.unknown_amis.clear();
    for (const Json& id : *it) {
      if (!id.is_string()) return Invalid("unknown_amis", "unknown_amis must be a list of AMI ids");
      next.unknown_amis.insert(id.get<std::string>());
    }
  }
  if (auto it = body.find("interrupt"); it != body.end()) {
    if (!it->is_string()) return Invalid("interrupt", "interrupt must be an instance id");
    KR_TRY(Interrupt(it->get<std::string>()));
  }
  faults_ = std::move(next);
  return {};
}

Json Emulator::InstancesJson() const {
  Json out = Json::array();
  for (const std::string& id : launch_order_) {
    const Record& r = *instances_.at(id);
    Json tags = Json::object();
    for (const aws::Tag& t : r.instance.tags) tags[t.key] = t.value;
    out.push_back({{"instance_id", id},
                   {"region", r.region},
                   {"reservation_id", r.reservation_id},
                   {"image_id", r.instance.image_id},
                   {"instance_type", r.instance.instance_type},
                   {"state", r.instance.state.name},
                   {"state_reason", r.instance.state_reason_code},
                   {"tags", tags},
                   {"launch", r.launch},
                   {"user_data", r.user_data},
                   {"launched_ms", r.launched_ms},
                   {"running_ms", r.running_ms},
                   {"shutting_down_ms", r.shutting_down_ms},
                   {"terminated_ms", r.terminated_ms}});
  }
  return out;
}

Json Emulator::StatsJson() const {
  Json states = Json::object();
  for (const auto& [id, r] : instances_)
    states[r->instance.state.name] = states.value(r->instance.state.name, 0) + 1;
  return Json{{"calls", calls_},
              {"errors", errors_},
              {"instances", states},
              {"max_active", max_active_},
              {"max_not_terminated", max_not_terminated_}};
}

}  // namespace kraken::ec2emu
