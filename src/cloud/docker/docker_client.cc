#include "cloud/docker/docker_client.h"

#include <cctype>
#include <thread>

#include "core/json.h"

namespace kraken::docker {
namespace {

// Percent-encodes all but RFC 3986's unreserved characters and those in `keep`.
std::string PercentEncode(std::string_view text, std::string_view keep = {}) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string result;
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || keep.find(c) != std::string_view::npos) {
      result += c;
    } else {
      result += '%';
      result += kHex[byte >> 4];
      result += kHex[byte & 0xF];
    }
  }
  return result;
}

std::string ContainerPath(std::string_view id) { return "/containers/" + PercentEncode(id); }

// Runs a parser over a JSON answer; a body that is not JSON, or JSON of a shape the parser
// trips on, is the engine's fault and reported as such.
template <typename Parser>
auto ParseAnswer(std::string_view what, const EngineResponse& response, Parser parse)
    -> decltype(parse(Json())) {
  try {
    return parse(Json::parse(response.body));
  } catch (const Json::exception& e) {
    return Fail(ErrorCode::kInternal,
                "docker engine gave a malformed answer to " + std::string(what) + ": " + e.what());
  }
}

bool MentionsImage(std::string message) {
  for (char& c : message) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return message.find("image") != std::string::npos;
}

}  // namespace

DockerClient::DockerClient(std::unique_ptr<EngineTransport> transport)
    : transport_(std::move(transport)) {}

Result<DockerClient> DockerClient::Connect(std::string_view address, EngineOptions options) {
  KR_ASSIGN(EngineAddress parsed, ParseEngineAddress(address));
  return DockerClient(std::make_unique<HttpEngineTransport>(std::move(parsed), options));
}

Result<EngineResponse> DockerClient::Send(std::string method, std::string path, std::string body,
                                          std::chrono::milliseconds timeout) {
  return transport_->Send(EngineRequest{std::move(method), "/" + std::string(kApiVersion) + path,
                                        std::move(body), timeout});
}

Status DockerClient::Ping() {
  KR_ASSIGN(EngineResponse response, Send("GET", "/_ping"));
  if (response.status != 200) return tl::unexpected(EngineError("answer a ping", response));
  return {};
}

Result<EngineVersion> DockerClient::Version() {
  KR_ASSIGN(EngineResponse response, Send("GET", "/version"));
  if (response.status != 200) return tl::unexpected(EngineError("tell its version", response));
  return ParseAnswer("GET /version", response, ParseEngineVersion);
}

Result<std::string> DockerClient::CreateContainer(const ContainerSpec& spec) {
  KR_TRY(ValidateSpec(spec));
  std::string path = "/containers/create";
  if (!spec.name.empty()) path += "?name=" + PercentEncode(spec.name);
  KR_ASSIGN(EngineResponse response, Send("POST", path, CreateBody(spec).dump()));
  // Docker says "No such image: X", Podman "no such image: X: image not known"; a 404 can
  // also be a missing network.
  if (response.status == 404 && MentionsImage(EngineMessage(response.body))) {
    return NotFound("image not found: " + spec.image);
  }
  if (response.status != 201) {
    std::string what = "create container" + (spec.name.empty() ? "" : " " + spec.name);
    return tl::unexpected(EngineError(what, response));
  }
  return ParseAnswer(
      "POST /containers/create", response, [](const Json& json) -> Result<std::string> {
        if (!json.is_object() || !json.contains("Id") || !json["Id"].is_string()) {
          return Fail(ErrorCode::kInternal, "docker engine created a container without an Id");
        }
        return json["Id"].get<std::string>();
      });
}

Status DockerClient::StartContainer(std::string_view id) {
  KR_ASSIGN(EngineResponse response, Send("POST", ContainerPath(id) + "/start"));
  // 304: already running.
  if (response.status != 204 && response.status != 304) {
    return tl::unexpected(EngineError("start container " + std::string(id), response));
  }
  return {};
}

Result<ContainerInfo> DockerClient::InspectContainer(std::string_view id) {
  KR_ASSIGN(EngineResponse response, Send("GET", ContainerPath(id) + "/json"));
  if (response.status != 200) {
    return tl::unexpected(EngineError("inspect container " + std::string(id), response));
  }
  return ParseAnswer("GET /containers/{id}/json", response, ParseContainerInfo);
}

Result<std::vector<ContainerSummary>> DockerClient::ListContainers(
    const std::vector<std::string>& label_filters) {
  std::string path = "/containers/json?all=true";
  if (!label_filters.empty()) {
    Json filters = {{"label", label_filters}};
    path += "&filters=" + PercentEncode(filters.dump());
  }
  KR_ASSIGN(EngineResponse response, Send("GET", path));
  if (response.status != 200) return tl::unexpected(EngineError("list containers", response));
  return ParseAnswer("GET /containers/json", response, ParseContainerList);
}

Result<int> DockerClient::WaitContainer(std::string_view id, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return Fail(ErrorCode::kUnavailable, "container " + std::string(id) + " still runs");
    KR_ASSIGN(EngineResponse response, Send("POST", ContainerPath(id) + "/wait", {}, left));
    if (response.status != 200)
      return tl::unexpected(EngineError("wait for container " + std::string(id), response));
    // Podman can answer a wait at once for a container that a start under load has not yet
    // got running; only the container's state says it has ended.
    KR_ASSIGN(ContainerInfo info, InspectContainer(id));
    if (info.state == ContainerState::kExited || info.state == ContainerState::kDead)
      return info.exit_code;
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
  }
}

Status DockerClient::StopContainer(std::string_view id, std::chrono::seconds grace) {
  // The engine answers only once the container is down, up to `grace` later.
  std::chrono::milliseconds timeout = grace + std::chrono::seconds(30);
  KR_ASSIGN(
      EngineResponse response,
      Send("POST", ContainerPath(id) + "/stop?t=" + std::to_string(grace.count()), {}, timeout));
  // 304: already stopped.
  if (response.status != 204 && response.status != 304) {
    return tl::unexpected(EngineError("stop container " + std::string(id), response));
  }
  return {};
}

Status DockerClient::RemoveContainer(std::string_view id, bool force) {
  // v=true: anonymous volumes die with the container instead of piling up on the host.
  std::string path = ContainerPath(id) + "?v=true&force=" + (force ? "true" : "false");
  KR_ASSIGN(EngineResponse response, Send("DELETE", path));
  if (response.status != 204 && response.status != 200) {
    return tl::unexpected(EngineError("remove container " + std::string(id), response));
  }
  return {};
}

Result<ContainerOutput> DockerClient::ContainerLogs(std::string_view id, int tail_lines) {
  std::string tail = tail_lines > 0 ? std::to_string(tail_lines) : "all";
  KR_ASSIGN(
      EngineResponse response,
      Send("GET", ContainerPath(id) + "/logs?stdout=true&stderr=true&follow=false&tail=" + tail));
  if (response.status != 200) {
    return tl::unexpected(EngineError("read the logs of container " + std::string(id), response));
  }
  return DemultiplexStream(response.body);
}

Result<bool> DockerClient::ImageExists(std::string_view image) {
  if (image.empty()) return Invalid("image", "an image name must not be empty");
  // Image references keep their '/', ':' and '@' in the path, as the docker CLI sends them.
  KR_ASSIGN(EngineResponse response,
            Send("GET", "/images/" + PercentEncode(image, "/:@") + "/json"));
  if (response.status == 200) return true;
  if (response.status == 404) return false;
  return tl::unexpected(EngineError("look up image " + std::string(image), response));
}

}  // namespace kraken::docker
