// What an agent tells the server about its machine: OS, distribution and version (which
// make its `system`, e.g. "debian-12"), CPUs, memory, and whether Docker is usable.
#pragma once

#include "core/json.h"

namespace kraken::agent {

Json CollectHostInfo();

}  // namespace kraken::agent
