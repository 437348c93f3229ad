// The Docker Engine API's containers as Kraken sees them: what to create (ContainerSpec),
// what inspecting or listing reports (ContainerInfo, ContainerSummary), and the engine's
// version. Plain value types, with their Engine API v1.41 JSON forms. Times are
// milliseconds since the epoch, 0 meaning "not yet".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"

namespace kraken::docker {

enum class ContainerState {
  kCreated,
  kRunning,
  kPaused,
  kRestarting,
  kRemoving,
  kExited,
  kDead,
  kUnknown,  // a state this client does not know
};

const char* ContainerStateName(ContainerState state);
// Accepts Docker's state names and the extra ones Podman reports through the same API
// ("configured", "initialized", "stopped").
ContainerState ParseContainerState(std::string_view name);

struct BindMount {
  std::string host_path;       // absolute
  std::string container_path;  // absolute
  bool read_only = true;
};

struct ContainerSpec {
  std::string name;                     // empty: the engine picks one
  std::string image;                    // must exist locally; nothing is pulled
  std::vector<std::string> entrypoint;  // empty: the image's
  std::vector<std::string> cmd;         // empty: the image's
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> labels;
  std::vector<BindMount> binds;
  std::string network_mode;  // empty: the engine's default (a bridge)
  int64_t nano_cpus = 0;     // CPU quota in 1e-9 CPUs; 0: no limit
  int64_t memory_bytes = 0;  // 0: no limit
};

struct ContainerInfo {
  std::string id;
  std::string name;   // without the leading '/'
  std::string image;  // as named at creation
  ContainerState state = ContainerState::kUnknown;
  int exit_code = 0;
  bool oom_killed = false;
  std::string error;  // why the engine could not start it, if it could not
  Millis started_at = 0;
  Millis finished_at = 0;
  std::map<std::string, std::string> labels;
};

struct ContainerSummary {
  std::string id;
  std::string name;  // the first name, without the leading '/'
  std::string image;
  ContainerState state = ContainerState::kUnknown;
  Millis created = 0;
  std::map<std::string, std::string> labels;
};

struct EngineVersion {
  std::string version;      // the engine's own release
  std::string api_version;  // the newest Engine API it speaks
  std::string min_api_version;
  std::string os;
  std::string arch;
  std::string kernel_version;
};

// Checks what the engine would reject less clearly; kInvalid names the field.
Status ValidateSpec(const ContainerSpec& spec);
// The body of POST /containers/create. AutoRemove is always off: an exited container must
// stay until its exit code and logs have been read.
Json CreateBody(const ContainerSpec& spec);

// Parsers of the engine's answers; a body of the wrong shape is kInternal.
Result<ContainerInfo> ParseContainerInfo(const Json& json);
Result<std::vector<ContainerSummary>> ParseContainerList(const Json& json);
Result<EngineVersion> ParseEngineVersion(const Json& json);

// An RFC 3339 time as the engine writes it ("2024-05-01T10:00:00.123456789Z", any offset)
// in milliseconds since the epoch; the engine's zero time (year 1) and unparsable text give 0.
Millis ParseEngineTime(std::string_view text);

}  // namespace kraken::docker
