#include "http/client.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <optional>

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

TlsTrust& DefaultTlsTrust() {
  static TlsTrust trust;
  return trust;
}

std::string Sha256Hex(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (cert == nullptr || X509_digest(cert, EVP_sha256(), digest, &size) != 1) return {};
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace

struct Client::Impl {
  CURL* curl = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  TlsTrust trust = DefaultTlsTrust();
  std::string refused_fingerprint;  // set when the pinned check refused a server

  // Pinning replaces OpenSSL's chain check with a comparison of the server's own (leaf)
  // certificate against the pinned SHA-256; curl's host name check is off with it.
  static int CheckPin(X509_STORE_CTX* store, void* user) {
    auto* impl = static_cast<Impl*>(user);
    std::string presented = Sha256Hex(X509_STORE_CTX_get0_cert(store));
    if (!presented.empty() && presented == impl->trust.fingerprint) return 1;
    impl->refused_fingerprint = presented.empty() ? "none" : presented;
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
  static CURLcode InstallPin(CURL*, void* ssl_ctx, void* user) {
    auto* ctx = static_cast<SSL_CTX*>(ssl_ctx);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_cert_verify_callback(ctx, CheckPin, user);
    return CURLE_OK;
  }

  void PrepareTls() {
    refused_fingerprint.clear();
    if (!trust.fingerprint.empty()) {
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
      curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, InstallPin);
      curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, this);
    } else if (!trust.ca_file.empty()) {
      curl_easy_setopt(curl, CURLOPT_CAINFO, trust.ca_file.c_str());
    }
  }

  // A server whose certificate we refuse: a clear, final answer instead of a retry.
  std::optional<Error> TlsRefusal(CURLcode code, const std::string& what) const {
    if (!refused_fingerprint.empty()) {
      return Error{ErrorCode::kForbidden,
                   fmt::format("{} refused: the server's certificate has the SHA-256 fingerprint "
                               "{}, not the pinned {}",
                               what, refused_fingerprint, trust.fingerprint)};
    }
    if (code != CURLE_PEER_FAILED_VERIFICATION && code != CURLE_SSL_CACERT_BADFILE) {
      return std::nullopt;
    }
    return Error{ErrorCode::kForbidden,
                 fmt::format("{} refused: the server's certificate is not trusted by {}: {}", what,
                             trust.ca_file.empty() ? "the system's CA bundle" : trust.ca_file,
                             error[0] != '\0' ? error : curl_easy_strerror(code))};
  }

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
    PrepareTls();
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
      if (auto refusal = TlsRefusal(code, method + " " + url)) return tl::unexpected(*refusal);
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

void Client::SetDefaultTlsTrust(TlsTrust trust) { DefaultTlsTrust() = std::move(trust); }

void Client::set_tls_trust(TlsTrust trust) { impl_->trust = std::move(trust); }

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
