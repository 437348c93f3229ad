#include "agent/job_services.h"

#include <fstream>
#include <thread>

namespace kraken::agent {

AgentJobServices::AgentJobServices(std::string server_url, std::string token, int64_t job_id,
                                   const std::atomic<bool>& stopping)
    : server_(server_url), job_id_(job_id), stopping_(stopping), client_(server_url, stopping) {
  client_.set_token(std::move(token));
}

std::string AgentJobServices::Absolute(const std::string& url) const {
  return url.starts_with("/") ? server_ + url : url;
}

Result<Json> AgentJobServices::Call(const std::string& path, const Json& body) {
  return client_.Post("/agent/v1/jobs/" + std::to_string(job_id_) + "/" + path, body,
                      std::chrono::seconds(60), std::chrono::minutes(5));
}

Status AgentJobServices::Upload(const std::string& url, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read " + file);
  std::string piece(kPiece, '\0');
  uint64_t offset = 0;
  std::string sep = url.find('?') == std::string::npos ? "?" : "&";
  do {
    in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    std::string body = piece.substr(0, static_cast<size_t>(in.gcount()));
    for (int attempt = 0;; ++attempt) {
      auto res =
          http_.Request("PUT", Absolute(url) + sep + "offset=" + std::to_string(offset), body,
                        {"Content-Type: application/octet-stream"}, std::chrono::seconds(120));
      if (res && res->status < 300) break;
      if (res && res->status < 500)
        return Fail(ErrorCode::kInvalid, "HTTP " + std::to_string(res->status) + ": " + res->body);
      if (stopping_ || attempt >= 20)
        return Fail(ErrorCode::kUnavailable,
                    res ? "HTTP " + std::to_string(res->status) : res.error().message);
      std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt + 1)));
    }
    offset += body.size();
  } while (in.gcount() == static_cast<std::streamsize>(kPiece));
  return {};
}

Status AgentJobServices::Download(const std::string& url, const std::string& file) {
  for (int attempt = 0;; ++attempt) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out) return Fail(ErrorCode::kInternal, "cannot write " + file);
    auto status = http_.Stream(
        Absolute(url), {},
        [&](std::string_view data) {
          out.write(data.data(), static_cast<std::streamsize>(data.size()));
          return bool(out);
        },
        std::chrono::minutes(30));
    if (status && *status < 300) return {};
    if (status && *status < 500)
      return Fail(ErrorCode::kNotFound, "HTTP " + std::to_string(*status));
    if (stopping_ || attempt >= 20)
      return Fail(ErrorCode::kUnavailable,
                  status ? "HTTP " + std::to_string(*status) : status.error().message);
    std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt + 1)));
  }
}

}  // namespace kraken::agent
