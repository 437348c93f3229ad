#include "http/client.h"

#include <curl/curl.h>
#include <fmt/format.h>

namespace kraken::http {
namespace {

// curl_global_init is not thread-safe; a function-local static runs it exactly once.
void InitCurlOnce() {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)init;
}

struct Slist {
  curl_slist* list = nullptr;
  ~Slist() { curl_slist_free_all(list); }
  void Append(const std::string& line) {
    if (curl_slist* grown = curl_slist_append(list, line.c_str())) list = grown;
  }
};

size_t AppendToString(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

struct StreamState {
  const std::function<bool(std::string_view)>* on_data;
  bool stopped = false;
};

size_t DeliverPiece(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<StreamState*>(user);
  if (!(*state->on_data)(std::string_view(data, size * count))) {
    state->stopped = true;
    return 0;  // makes curl abort the transfer
  }
  return size * count;
}

// libcurl calls this about once a second, and whenever data moves.
int CheckAbort(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

}  // namespace

struct Client::Impl {
  CURL* curl = nullptr;
  char error[CURL_ERROR_SIZE] = {};

  // Resets the handle for one transfer; the open connection survives the reset.
  void Prepare(const std::string& url, const std::vector<std::string>& headers,
               std::chrono::milliseconds timeout, Slist& header_list,
               const std::atomic<bool>* abort_flag) {
    curl_easy_reset(curl);
    if (abort_flag != nullptr) {
      curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, CheckAbort);
      curl_easy_setopt(curl, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(abort_flag));
    }
    error[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    // Signals would break multi-threaded programs; timeouts work without them.
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(
        curl, CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(
            std::min<std::chrono::milliseconds>(timeout, std::chrono::seconds(10)).count()));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "kraken");
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    // Without this curl pauses up to a second before sending bodies over 1 KiB.
    header_list.Append("Expect:");
    for (const std::string& header : headers) header_list.Append(header);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.list);
  }

  // `stopped` is set during the transfer when the caller ended it on purpose.
  Result<int> Perform(const std::string& method, const std::string& url, const bool& stopped) {
    CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (code != CURLE_OK && !(stopped && code == CURLE_WRITE_ERROR)) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("{} {} failed: {}", method, url,
                              error[0] != '\0' ? error : curl_easy_strerror(code)));
    }
    return static_cast<int>(status);
  }
};

Client::Client() : impl_(std::make_unique<Impl>()) {
  InitCurlOnce();
  impl_->curl = curl_easy_init();
}

Client::~Client() {
  if (impl_->curl != nullptr) curl_easy_cleanup(impl_->curl);
}

Result<ClientResponse> Client::Request(const std::string& method, const std::string& url,
                                       const std::string& body,
                                       const std::vector<std::string>& headers,
                                       std::chrono::milliseconds timeout) {
  if (impl_->curl == nullptr) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  CURL* curl = impl_->curl;
  Slist header_list;
  impl_->Prepare(url, headers, timeout, header_list, abort_flag_);
  ClientResponse response;
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendToString);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else {
    // POSTFIELDS sends the body for any method; CUSTOMREQUEST then renames the method.
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    if (method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  const bool never_stopped = false;
  auto status = impl_->Perform(method, url, never_stopped);
  if (!status) return tl::unexpected(status.error());
  response.status = *status;
  return response;
}

Result<int> Client::Stream(const std::string& url, const std::vector<std::string>& headers,
                           const std::function<bool(std::string_view)>& on_data,
                           std::chrono::milliseconds timeout) {
  if (impl_->curl == nullptr) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  CURL* curl = impl_->curl;
  Slist header_list;
  impl_->Prepare(url, headers, timeout, header_list, abort_flag_);
  StreamState state{&on_data};
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, DeliverPiece);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &state);
  return impl_->Perform("GET", url, state.stopped);
}

}  // namespace kraken::http
