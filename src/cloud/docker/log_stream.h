// Splits the Docker Engine API's multiplexed output stream (what GET /containers/{id}/logs
// answers for a container without a TTY) back into stdout and stderr.
//
// The stream is a run of frames, each an 8-byte header {STREAM_TYPE, 0, 0, 0, SIZE as a
// big-endian uint32} followed by SIZE bytes of output; STREAM_TYPE is 0 (stdin, written on
// stdout), 1 (stdout) or 2 (stderr). Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace kraken::docker {

struct ContainerOutput {
  std::string out;
  std::string err;
};

// A stream that does not open with a frame header comes from a container with a TTY, whose
// output is not multiplexed: it is returned whole as `out`. A frame header that lies (a bad
// stream type, a size past the end) is kInternal.
Result<ContainerOutput> DemultiplexStream(std::string_view stream);

}  // namespace kraken::docker
