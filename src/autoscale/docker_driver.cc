#include "autoscale/docker_driver.h"

#include <cmath>

#include "autoscale/deployment.h"
#include "autoscale/local_driver.h"

namespace kraken::autoscale {

cloud::DriverError ClassifyDockerError(const Error& e) {
  switch (e.code) {
    case ErrorCode::kUnavailable:
      return {cloud::FailureClass::kTransient, e.message, ErrorCodeName(e.code)};
    case ErrorCode::kConflict:
      return {cloud::FailureClass::kTransient, e.message, ErrorCodeName(e.code)};
    default:  // a missing image, a bad option, refused credentials: the same next time
      return {cloud::FailureClass::kPermanent, e.message, ErrorCodeName(e.code)};
  }
}

docker::ContainerSpec DockerDriver::ContainerFor(const cloud::MachineSpec& spec) const {
  auto d = ParseDeployment(spec.options, true);
  DockerOptions o = d ? d->docker : DockerOptions();
  std::string default_system = d ? d->default_system : "any";
  docker::ContainerSpec c;
  c.image = spec.system != "any" && !spec.system.empty() ? spec.system
            : !o.image.empty()                           ? o.image
                                                         : default_system;
  c.entrypoint = AgentArgv(kAgentPathInContainer, spec, "/tmp/kraken-agent", /*subcommand=*/false);
  c.binds.push_back(docker::BindMount{binary_, kAgentPathInContainer, true});
  c.labels = {{cloud::kTagServer, spec.server_id},
              {cloud::kTagGroup, std::to_string(spec.group_id)},
              {cloud::kTagMachine, std::to_string(spec.machine_id)}};
  for (auto& [k, v] : o.env.items()) c.env[k] = v.get<std::string>();
  c.network_mode = o.network;
  c.nano_cpus = static_cast<int64_t>(std::llround(o.cpus * 1e9));
  c.memory_bytes = o.memory_mb * 1024 * 1024;
  return c;
}

cloud::DriverResult<std::string> DockerDriver::Create(const cloud::MachineSpec& spec) {
  if (binary_.empty())
    return tl::unexpected(
        cloud::DriverError{cloud::FailureClass::kPermanent,
                           "no kraken-agent to run in containers: build the "
                           "kraken-agent target or give the server --agent-binary",
                           "no-agent"});
  docker::ContainerSpec c = ContainerFor(spec);
  if (c.image == "any" || c.image.empty())
    return tl::unexpected(
        cloud::DriverError{cloud::FailureClass::kPermanent,
                           "no image: the job's system is `any` and the group has "
                           "no default image (deployment.image)",
                           "no-image"});
  auto id = client_.CreateContainer(c);
  if (!id) return tl::unexpected(ClassifyDockerError(id.error()));
  if (auto st = client_.StartContainer(*id); !st) {
    (void)client_.RemoveContainer(*id, true);
    return tl::unexpected(ClassifyDockerError(st.error()));
  }
  return *id;
}

cloud::DriverResult<void> DockerDriver::Destroy(const std::string& driver_id) {
  auto st = client_.RemoveContainer(driver_id, /*force=*/true);
  if (!st && st.error().code != ErrorCode::kNotFound)
    return tl::unexpected(ClassifyDockerError(st.error()));
  return {};
}

cloud::DriverResult<std::vector<cloud::DriverMachine>> DockerDriver::List(
    const std::string& server_id, Id group_id) {
  auto list =
      client_.ListContainers({std::string(cloud::kTagServer) + "=" + server_id,
                              std::string(cloud::kTagGroup) + "=" + std::to_string(group_id)});
  if (!list) return tl::unexpected(ClassifyDockerError(list.error()));
  std::vector<cloud::DriverMachine> out;
  for (const auto& c : *list) {
    cloud::DriverMachine m;
    m.driver_id = c.id;
    m.tags = c.labels;
    m.state = c.state == docker::ContainerState::kRunning   ? "running"
              : c.state == docker::ContainerState::kCreated ? "pending"
                                                            : "stopped";
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace kraken::autoscale
