#include "cloud/docker/log_stream.h"

#include <cstdint>

namespace kraken::docker {
namespace {

constexpr size_t kHeaderSize = 8;

bool LooksLikeHeader(std::string_view stream) {
  return stream.size() >= kHeaderSize && static_cast<unsigned char>(stream[0]) <= 2 &&
         stream[1] == 0 && stream[2] == 0 && stream[3] == 0;
}

}  // namespace

Result<ContainerOutput> DemultiplexStream(std::string_view stream) {
  ContainerOutput output;
  if (!stream.empty() && !LooksLikeHeader(stream)) {
    output.out = std::string(stream);
    return output;
  }
  size_t pos = 0;
  while (pos < stream.size()) {
    std::string_view rest = stream.substr(pos);
    if (!LooksLikeHeader(rest)) {
      return Fail(
          ErrorCode::kInternal,
          "malformed container output stream: bad frame header at byte " + std::to_string(pos));
    }
    uint32_t size = 0;
    for (int i = 4; i < 8; ++i) size = (size << 8) | static_cast<unsigned char>(rest[i]);
    if (rest.size() - kHeaderSize < size) {
      return Fail(ErrorCode::kInternal, "malformed container output stream: frame at byte " +
                                            std::to_string(pos) + " claims " +
                                            std::to_string(size) + " bytes, " +
                                            std::to_string(rest.size() - kHeaderSize) + " remain");
    }
    std::string& target = rest[0] == 2 ? output.err : output.out;
    target.append(rest.substr(kHeaderSize, size));
    pos += kHeaderSize + size;
  }
  return output;
}

}  // namespace kraken::docker
