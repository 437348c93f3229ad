#include "cloud/ec2/ec2_driver.h"

#include "cloud/aws/curl_transport.h"
#include "cloud/aws/user_data.h"

namespace kraken::ec2 {
namespace {

tl::unexpected<cloud::DriverError> Permanent(std::string message, std::string code = {}) {
  return tl::unexpected(
      cloud::DriverError{cloud::FailureClass::kPermanent, std::move(message), std::move(code)});
}

// A transport that is only borrowed: calls go to the one it wraps.
class Unowned : public aws::HttpTransport {
 public:
  explicit Unowned(aws::HttpTransport& inner) : inner_(inner) {}
  aws::Result<aws::HttpResponse> Send(const aws::HttpRequest& r) override { return inner_.Send(r); }

 private:
  aws::HttpTransport& inner_;
};

std::string WindowsRefusal(const std::string& ami) {
  return "Windows instances are not supported yet: " + ami +
         " is a Windows image, and kraken-agent runs on Linux only";
}

}  // namespace

cloud::FailureClass FailureClassOf(aws::ErrorKind kind) {
  switch (kind) {
    case aws::ErrorKind::kThrottled:
      return cloud::FailureClass::kThrottled;
    case aws::ErrorKind::kCapacity:
      return cloud::FailureClass::kCapacity;
    case aws::ErrorKind::kPermanent:
      return cloud::FailureClass::kPermanent;
    case aws::ErrorKind::kTransient:
      return cloud::FailureClass::kTransient;
  }
  return cloud::FailureClass::kTransient;
}

cloud::DriverError ToDriverError(const aws::AwsError& e) {
  std::string message = e.code.empty() ? e.message : "EC2 " + e.code + ": " + e.message;
  return {FailureClassOf(e.kind), std::move(message), e.code};
}

aws::Result<aws::RunInstancesRequest> BuildRunInstances(const cloud::MachineSpec& spec,
                                                        const Ec2Options& options,
                                                        const aws::Image& image,
                                                        const std::string& agent_sha256) {
  aws::AgentBootstrap bootstrap{spec.server_url, agent_sha256, spec.registration_token,
                                options.init_script, spec.server_fingerprint};
  auto user_data = aws::RenderLinuxUserData(bootstrap);
  if (!user_data) return aws::Fail(std::move(user_data.error()));
  aws::RunInstancesRequest r;
  r.image_id = image.image_id;
  r.instance_type = options.instance_type;
  r.user_data = std::move(*user_data);
  if (options.disk_size_gb > 0) {
    r.root_device_name = image.root_device_name.empty() ? "/dev/xvda" : image.root_device_name;
    r.root_volume_gib = options.disk_size_gb;
  }
  r.spot = options.spot;
  r.detailed_monitoring = options.monitoring;
  r.unlimited_cpu_credits = options.cpu_credits_unlimited && IsBurstableType(options.instance_type);
  const std::string machine = std::to_string(spec.machine_id);
  r.tags = {{cloud::kTagServer, spec.server_id},
            {cloud::kTagGroup, std::to_string(spec.group_id)},
            {cloud::kTagMachine, machine},
            {"Name", "kraken-" + spec.group_name + "-" + machine}};
  r.subnet_id = options.subnet_id;
  r.security_group_ids = options.security_group_ids;
  r.key_name = options.key_name;
  r.iam_instance_profile = options.iam_instance_profile;
  // A Create retried after a lost answer launches nothing new: EC2 keeps client tokens.
  r.client_token = ("kraken-" + spec.server_id + "-" + machine).substr(0, 64);
  return r;
}

Ec2Driver::Ec2Driver(Ec2DriverConfig config) : config_(std::move(config)) {}
Ec2Driver::~Ec2Driver() = default;

std::shared_ptr<aws::HttpTransport> Ec2Driver::Borrow() {
  if (config_.transport) return std::make_shared<Unowned>(*config_.transport);
  std::unique_ptr<aws::HttpTransport> transport;
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      transport = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!transport) transport = std::make_unique<aws::CurlTransport>();
  aws::HttpTransport* raw = transport.release();
  return std::shared_ptr<aws::HttpTransport>(raw, [this](aws::HttpTransport* t) {
    std::lock_guard lock(mu_);
    idle_.emplace_back(t);
  });
}

cloud::DriverResult<std::string> Ec2Driver::Create(const cloud::MachineSpec& spec) {
  auto options = ParseEc2Options(spec.options);
  if (!options) return Permanent(options.error().message);
  if (options->region != config_.region)
    return Permanent("this driver serves " + config_.region + ", not " + options->region);
  const std::string ami = IsAmiId(spec.system) ? spec.system : options->default_ami;
  if (ami.empty())
    return Permanent("the job's system '" + spec.system +
                     "' is not an AMI id and the group has no default_ami");
  auto transport = Borrow();
  aws::Ec2Client client({config_.account.credentials, config_.region, config_.account.endpoint, {}},
                        *transport);
  // The image tells Linux from Windows and names the root device.
  auto images = client.DescribeImages({.image_ids = {ami}});
  if (!images) return tl::unexpected(ToDriverError(images.error()));
  if (images->images.empty())
    return Permanent("EC2 knows no image " + ami, "InvalidAMIID.NotFound");
  if (images->images.front().platform == aws::Platform::kWindows)
    return Permanent(WindowsRefusal(ami));
  auto request = BuildRunInstances(spec, *options, images->images.front(), config_.agent_sha256);
  if (!request) return tl::unexpected(ToDriverError(request.error()));
  auto launched = client.RunInstances(*request);
  if (!launched) return tl::unexpected(ToDriverError(launched.error()));
  if (launched->reservation.instances.empty())
    return tl::unexpected(cloud::DriverError{cloud::FailureClass::kTransient,
                                             "RunInstances returned no instance", ""});
  return launched->reservation.instances.front().instance_id;
}

cloud::DriverResult<void> Ec2Driver::Destroy(const std::string& driver_id) {
  auto transport = Borrow();
  aws::Ec2Client client({config_.account.credentials, config_.region, config_.account.endpoint, {}},
                        *transport);
  auto result = client.TerminateInstances({driver_id});
  // Already gone (terminated long ago, or never launched): nothing left to destroy.
  if (!result && result.error().code != "InvalidInstanceID.NotFound")
    return tl::unexpected(ToDriverError(result.error()));
  return {};
}

cloud::DriverResult<std::vector<cloud::DriverMachine>> Ec2Driver::List(const std::string& server_id,
                                                                       Id group_id) {
  auto transport = Borrow();
  aws::Ec2Client client({config_.account.credentials, config_.region, config_.account.endpoint, {}},
                        *transport);
  aws::DescribeInstancesRequest request;
  request.filters = {aws::TagFilter(cloud::kTagServer, server_id),
                     aws::TagFilter(cloud::kTagGroup, std::to_string(group_id)),
                     // Shutting-down and terminated instances are gone: a machine whose
                     // instance was interrupted must be seen to vanish.
                     aws::InstanceStateFilter({"pending", "running", "stopping", "stopped"})};
  auto described = client.DescribeInstances(request);
  if (!described) return tl::unexpected(ToDriverError(described.error()));
  std::vector<cloud::DriverMachine> out;
  for (const aws::Instance& i : described->Instances()) {
    cloud::DriverMachine m;
    m.driver_id = i.instance_id;
    for (const aws::Tag& t : i.tags) m.tags[t.key] = t.value;
    m.state = i.state.name == "stopping" || i.state.name == "stopped" ? "stopping" : i.state.name;
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace kraken::ec2
