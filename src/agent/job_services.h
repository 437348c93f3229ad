// The server as a running job's tools see it (tools::JobServices): job-scoped agent
// protocol calls, and file transfers to and from the short-lived blob URLs the server hands
// out. Uploads go in pieces of kPiece bytes, each sent with its offset, so a retried piece
// is written at the same place and a large file never sits in memory whole.
//
// Used by the job's thread only.
#pragma once

#include <atomic>
#include <string>

#include "agent/protocol_client.h"
#include "agent/tools/tool.h"
#include "http/beast_client.h"

namespace kraken::agent {

class AgentJobServices : public tools::JobServices {
 public:
  AgentJobServices(std::string server_url, std::string token, int64_t job_id,
                   const std::atomic<bool>& stopping);

  Result<Json> Call(const std::string& path, const Json& body) override;
  Status Upload(const std::string& url, const std::string& file) override;
  Status Download(const std::string& url, const std::string& file) override;

  static constexpr size_t kPiece = 4 << 20;

 private:
  std::string Absolute(const std::string& url) const;

  std::string server_;
  int64_t job_id_;
  const std::atomic<bool>& stopping_;
  ProtocolClient client_;
  http::BeastClient http_;
};

}  // namespace kraken::agent
