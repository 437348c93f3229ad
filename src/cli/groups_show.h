// `kraken agents groups show NAME`: an agents group's deployment and its machines (state,
// age, job count, last error), read through the REST API.
#pragma once

#include <ostream>
#include <string>

#include "cli/client_config.h"

namespace kraken::cli {

// Prints the group; returns the process exit code (0, or 1 with the error on stderr).
int GroupsShow(const ClientConfig& config, const std::string& name, std::ostream& out);

// The text of the report, from the API's group and machines answers (for tests).
std::string FormatGroup(const Json& group, const Json& machines);

}  // namespace kraken::cli
