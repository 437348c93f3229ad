#include "cloud/docker/curl_engine_transport.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <string>

namespace kraken::docker {
namespace {

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct BodySink {
  std::string* body;
  size_t limit;
  bool overflowed = false;
};

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  size_t bytes = size * count;
  if (sink->body->size() + bytes > sink->limit) {
    sink->overflowed = true;
    return 0;  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
  }
  sink->body->append(data, bytes);
  return bytes;
}

}  // namespace

CurlEngineTransport::CurlEngineTransport(EngineAddress address, CurlEngineOptions options)
    : address_(std::move(address)), options_(options) {
  static std::once_flag curl_initialized;
  std::call_once(curl_initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<EngineResponse> CurlEngineTransport::Send(const EngineRequest& request) {
  std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  if (handle == nullptr) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  CURL* curl = handle.get();

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&headers](const char* line) {
    curl_slist* appended = curl_slist_append(headers.get(), line);
    if (appended == nullptr) return false;
    headers.release();
    headers.reset(appended);
    return true;
  };
  // "Expect:" drops the 100-continue round trip libcurl would make for larger bodies.
  if ((!request.body.empty() && !add_header("Content-Type: application/json")) ||
      !add_header("Expect:")) {
    return Fail(ErrorCode::kInternal, "curl_slist_append failed");
  }

  std::string url = address_.base_url + request.target;
  std::chrono::milliseconds timeout =
      request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
  EngineResponse response;
  BodySink sink{&response.body, options_.max_response_bytes};
  char error_detail[CURL_ERROR_SIZE] = "";

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (!address_.unix_socket.empty()) {
    curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, address_.unix_socket.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM, safe in threads
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");  // an engine is never reached through a proxy
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_detail);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "POST" || !request.body.empty()) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  }

  CURLcode code = curl_easy_perform(curl);
  std::string what = request.method + " " + request.target;
  if (sink.overflowed) {
    return Fail(ErrorCode::kInternal, "docker engine at " + address_.text + ": answer to " + what +
                                          " exceeds " +
                                          std::to_string(options_.max_response_bytes) + " bytes");
  }
  if (code != CURLE_OK) {
    std::string message = "docker engine at " + address_.text + " unreachable (" + what +
                          "): " + curl_easy_strerror(code);
    if (error_detail[0] != '\0') message += std::string(": ") + error_detail;
    return Fail(ErrorCode::kUnavailable, std::move(message));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace kraken::docker
