#include "server/agent_binary.h"

#include <filesystem>

#include "server/static_files.h"

namespace kraken::server {

AgentBinary FindAgentBinary(const std::string& configured) {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates;
  if (!configured.empty()) {
    candidates.push_back(configured);
  } else {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back(exe.parent_path() / "kraken-agent");
#ifdef KRAKEN_BUILD_AGENT
    candidates.push_back(KRAKEN_BUILD_AGENT);
#endif
  }
  for (const fs::path& candidate : candidates) {
    std::string sha256 = FileSha256(candidate.string());
    std::error_code ec;
    if (!sha256.empty() && fs::is_regular_file(candidate, ec))
      return AgentBinary{fs::absolute(candidate).lexically_normal().string(), sha256};
  }
  return {};
}

}  // namespace kraken::server
