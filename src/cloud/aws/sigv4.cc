#include "cloud/aws/sigv4.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>

#include "cloud/aws/crypto.h"
#include "cloud/aws/uri_encoding.h"

namespace kraken::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr auto kMaxClockSkew = std::chrono::minutes(15);

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ToLower(a) == ToLower(b);
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trims and squeezes each run of whitespace (folded lines included) to one space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
    } else {
      if (pending_space) out.push_back(' ');
      pending_space = false;
      out.push_back(c);
    }
  }
  return out;
}

// Headers a proxy or the HTTP stack may add, drop or rewrite in transit; signing them
// would make a valid request fail verification.
bool IsUnsignable(std::string_view lower_name) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "authorization", "user-agent",        "x-amzn-trace-id", "expect",
      "connection",    "transfer-encoding", "upgrade"};
  return std::find(kNames.begin(), kNames.end(), lower_name) != kNames.end();
}

// The headers SignRequest itself sets, removed first so that signing is repeatable.
bool IsAuthenticationHeader(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "x-amz-date" ||
         lower_name == "x-amz-security-token" || lower_name == "x-amz-content-sha256";
}

struct CanonicalHeaders {
  std::string block;           // "name:value\n" per header
  std::string signed_headers;  // "name;name"
};

CanonicalHeaders Canonicalize(const std::vector<HttpHeader>& headers) {
  std::vector<std::pair<std::string, std::string>> lowered;
  lowered.reserve(headers.size());
  for (const HttpHeader& header : headers) {
    lowered.emplace_back(ToLower(header.name), CanonicalHeaderValue(header.value));
  }
  // Stable: repeated headers keep their order of appearance when joined with ','.
  std::stable_sort(lowered.begin(), lowered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (size_t i = 0; i < lowered.size(); ++i) {
    if (i > 0 && lowered[i].first == lowered[i - 1].first) {
      out.block.pop_back();  // the '\n' of the previous line
      out.block += "," + lowered[i].second + "\n";
      continue;
    }
    if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
    out.signed_headers += lowered[i].first;
    out.block += lowered[i].first + ":" + lowered[i].second + "\n";
  }
  return out;
}

// RFC 3986 remove_dot_segments plus collapsing of empty segments ("//").
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::string_view last;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    last = path.substr(start, end - start);
    if (last == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!last.empty() && last != ".") {
      segments.push_back(last);
    }
    start = end + 1;
  }
  std::string out = "/";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    out += segments[i];
  }
  bool ends_in_directory = last.empty() || last == "." || last == "..";
  if (!segments.empty() && ends_in_directory) out.push_back('/');
  return out;
}

std::string CanonicalUri(std::string_view path, bool normalize) {
  if (path.empty()) return "/";
  if (normalize) return UriEncode(NormalizePath(path), /*keep_slash=*/true);
  // S3 style: the path is encoded exactly once, whether or not it arrived encoded.
  return UriEncode(UriDecode(path), /*keep_slash=*/true);
}

std::string CanonicalQuery(const QueryParams& params) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.size());
  for (const auto& [key, value] : params) encoded.emplace_back(UriEncode(key), UriEncode(value));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [key, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += key + "=" + value;
  }
  return out;
}

struct Target {
  std::string_view path;
  std::string_view query;
  bool has_query_mark = false;
};

Target SplitTarget(std::string_view target) {
  size_t mark = target.find('?');
  if (mark == std::string_view::npos) return {target, {}, false};
  return {target.substr(0, mark), target.substr(mark + 1), true};
}

std::string CanonicalRequest(std::string_view method, std::string_view path,
                             std::string_view canonical_query, const CanonicalHeaders& headers,
                             std::string_view payload_hash, bool normalize) {
  std::string out;
  out += method;
  out += "\n" + CanonicalUri(path, normalize) + "\n";
  out += canonical_query;
  out += "\n" + headers.block + "\n" + headers.signed_headers + "\n";
  out += payload_hash;
  return out;
}

std::string Scope(std::string_view date, std::string_view region, std::string_view service) {
  std::string out(date);
  out += "/";
  out += region;
  out += "/";
  out += service;
  out += "/aws4_request";
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out += "\n";
  out += amz_date;
  out += "\n";
  out += scope;
  out += "\n" + Sha256Hex(canonical_request);
  return out;
}

std::string Signature(std::string_view secret, std::string_view date, std::string_view region,
                      std::string_view service, std::string_view string_to_sign) {
  std::string key = HmacSha256("AWS4" + std::string(secret), date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, service);
  key = HmacSha256(key, "aws4_request");
  return HexEncode(HmacSha256(key, string_to_sign));
}

std::vector<HttpHeader> SignableHeaders(const std::vector<HttpHeader>& headers) {
  std::vector<HttpHeader> out;
  for (const HttpHeader& header : headers) {
    if (!IsUnsignable(ToLower(header.name))) out.push_back(header);
  }
  return out;
}

tl::unexpected<AwsError> AuthError(std::string code, std::string message, int status) {
  AwsError error;
  error.kind = ErrorKind::kPermanent;
  error.code = std::move(code);
  error.message = std::move(message);
  error.http_status = status;
  return Fail(std::move(error));
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace

std::optional<std::string_view> SignableRequest::Header(std::string_view name) const {
  for (const HttpHeader& header : headers) {
    if (EqualsIgnoreCase(header.name, name)) return header.value;
  }
  return std::nullopt;
}

std::string FormatAmzDate(std::chrono::system_clock::time_point time) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

std::optional<std::chrono::system_clock::time_point> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  auto number = [&](size_t pos, size_t length) -> int {
    int value = 0;
    for (size_t i = pos; i < pos + length; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  std::tm utc{};
  utc.tm_year = number(0, 4) - 1900;
  utc.tm_mon = number(4, 2) - 1;
  utc.tm_mday = number(6, 2);
  utc.tm_hour = number(9, 2);
  utc.tm_min = number(11, 2);
  utc.tm_sec = number(13, 2);
  if (utc.tm_year < 0 || utc.tm_mon < 0 || utc.tm_mday < 1 || utc.tm_hour < 0 || utc.tm_min < 0 ||
      utc.tm_sec < 0) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&utc));
}

SignedRequest SignRequest(const SignableRequest& request, const SigningParams& params) {
  SignedRequest out;
  out.request = request;
  std::erase_if(out.request.headers,
                [](const HttpHeader& h) { return IsAuthenticationHeader(ToLower(h.name)); });
  std::vector<HttpHeader> to_sign = SignableHeaders(out.request.headers);

  const std::string amz_date = FormatAmzDate(params.time);
  const std::string date = amz_date.substr(0, 8);
  const std::string payload_hash = Sha256Hex(request.body);
  const Credentials& credentials = params.credentials;

  auto add = [&](std::string name, std::string value, bool sign) {
    if (sign) to_sign.push_back({name, value});
    out.request.headers.push_back({std::move(name), std::move(value)});
  };
  if (!credentials.session_token.empty()) {
    add("X-Amz-Security-Token", credentials.session_token, !params.omit_session_token);
  }
  add("X-Amz-Date", amz_date, true);
  if (params.add_content_sha256_header) add("x-amz-content-sha256", payload_hash, true);

  const CanonicalHeaders headers = Canonicalize(to_sign);
  const Target target = SplitTarget(request.target);
  const std::string scope = Scope(date, params.region, params.service);
  out.canonical_request =
      CanonicalRequest(request.method, target.path, CanonicalQuery(ParseQueryString(target.query)),
                       headers, payload_hash, params.normalize_path);
  out.string_to_sign = StringToSign(amz_date, scope, out.canonical_request);
  out.signature = Signature(credentials.secret_access_key, date, params.region, params.service,
                            out.string_to_sign);
  out.request.headers.push_back(
      {"Authorization", std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                            scope + ", SignedHeaders=" + headers.signed_headers +
                            ", Signature=" + out.signature});
  return out;
}

SignedRequest PresignRequest(const SignableRequest& request, const SigningParams& params) {
  SignedRequest out;
  out.request = request;
  std::erase_if(out.request.headers,
                [](const HttpHeader& h) { return ToLower(h.name) == "authorization"; });
  const CanonicalHeaders headers = Canonicalize(SignableHeaders(out.request.headers));

  const std::string amz_date = FormatAmzDate(params.time);
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = Scope(date, params.region, params.service);
  const Credentials& credentials = params.credentials;

  // In the order the conformance suite appends them to the URL.
  QueryParams auth = {
      {"X-Amz-Algorithm", std::string(kAlgorithm)},
      {"X-Amz-Credential", credentials.access_key_id + "/" + scope},
      {"X-Amz-Date", amz_date},
      {"X-Amz-SignedHeaders", headers.signed_headers},
      {"X-Amz-Expires", std::to_string(params.expires.count())},
  };
  const Target target = SplitTarget(request.target);
  QueryParams signed_query = ParseQueryString(target.query);
  signed_query.insert(signed_query.end(), auth.begin(), auth.end());
  if (!credentials.session_token.empty()) {
    auth.emplace_back("X-Amz-Security-Token", credentials.session_token);
    if (!params.omit_session_token) signed_query.push_back(auth.back());
  }

  out.canonical_request =
      CanonicalRequest(request.method, target.path, CanonicalQuery(signed_query), headers,
                       Sha256Hex(request.body), params.normalize_path);
  out.string_to_sign = StringToSign(amz_date, scope, out.canonical_request);
  out.signature = Signature(credentials.secret_access_key, date, params.region, params.service,
                            out.string_to_sign);
  auth.emplace_back("X-Amz-Signature", out.signature);

  std::string& url = out.request.target;
  if (!target.has_query_mark) {
    url.push_back('?');
  } else if (!target.query.empty() && url.back() != '&') {
    url.push_back('&');
  }
  url += BuildQueryString(auth);
  return out;
}

Result<AuthorizationHeader> ParseAuthorizationHeader(std::string_view value) {
  value = Trim(value);
  if (value.substr(0, kAlgorithm.size()) != kAlgorithm || value.size() == kAlgorithm.size() ||
      value[kAlgorithm.size()] != ' ') {
    return AuthError("IncompleteSignature",
                     "Authorization header must use the AWS4-HMAC-SHA256 algorithm", 400);
  }
  AuthorizationHeader out;
  bool has_credential = false, has_signed_headers = false, has_signature = false;
  for (std::string_view part : Split(value.substr(kAlgorithm.size() + 1), ',')) {
    part = Trim(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = part.substr(0, eq);
    std::string_view field = part.substr(eq + 1);
    if (key == "Credential") {
      std::vector<std::string_view> scope = Split(field, '/');
      if (scope.size() != 5 || scope[4] != "aws4_request" || scope[0].empty() ||
          scope[1].size() != 8) {
        return AuthError("IncompleteSignature",
                         "Credential must be <access key>/<date>/<region>/<service>/aws4_request",
                         400);
      }
      out.access_key_id = scope[0];
      out.date = scope[1];
      out.region = scope[2];
      out.service = scope[3];
      has_credential = true;
    } else if (key == "SignedHeaders") {
      for (std::string_view name : Split(field, ';')) out.signed_headers.emplace_back(name);
      has_signed_headers = !field.empty();
    } else if (key == "Signature") {
      out.signature = field;
      has_signature = !field.empty();
    }
  }
  if (!has_credential || !has_signed_headers || !has_signature) {
    return AuthError("IncompleteSignature",
                     "Authorization header needs Credential, SignedHeaders and Signature", 400);
  }
  return out;
}

Result<AuthorizationHeader> VerifySignature(const SignableRequest& request,
                                            std::string_view secret_access_key,
                                            std::chrono::system_clock::time_point now,
                                            bool normalize_path) {
  std::optional<std::string_view> authorization = request.Header("authorization");
  if (!authorization) {
    return AuthError("MissingAuthenticationToken", "Request is missing an Authorization header",
                     401);
  }
  Result<AuthorizationHeader> auth = ParseAuthorizationHeader(*authorization);
  if (!auth) return auth;

  std::optional<std::string_view> amz_date = request.Header("x-amz-date");
  std::optional<std::chrono::system_clock::time_point> time;
  if (amz_date) time = ParseAmzDate(Trim(*amz_date));
  if (!time) {
    return AuthError("IncompleteSignature", "Request needs an X-Amz-Date header (YYYYMMDDTHHMMSSZ)",
                     400);
  }
  if (Trim(*amz_date).substr(0, 8) != auth->date) {
    return AuthError("SignatureDoesNotMatch", "Credential scope date does not match X-Amz-Date",
                     403);
  }
  if (*time > now + kMaxClockSkew || *time < now - kMaxClockSkew) {
    return AuthError("RequestExpired",
                     "X-Amz-Date " + std::string(Trim(*amz_date)) +
                         " is more than 15 minutes away from the server's time",
                     400);
  }
  if (std::find(auth->signed_headers.begin(), auth->signed_headers.end(), "host") ==
      auth->signed_headers.end()) {
    return AuthError("IncompleteSignature", "SignedHeaders must include host", 400);
  }

  std::vector<HttpHeader> signed_headers;
  for (const std::string& name : auth->signed_headers) {
    bool found = false;
    for (const HttpHeader& header : request.headers) {
      if (ToLower(header.name) == name) {
        signed_headers.push_back(header);
        found = true;
      }
    }
    if (!found) {
      return AuthError("SignatureDoesNotMatch", "Signed header '" + name + "' is missing", 403);
    }
  }

  std::string payload_hash = Sha256Hex(request.body);
  if (std::optional<std::string_view> claimed = request.Header("x-amz-content-sha256")) {
    std::string_view value = Trim(*claimed);
    if (value == kUnsignedPayload) {
      payload_hash = kUnsignedPayload;
    } else if (value != payload_hash) {
      return AuthError("XAmzContentSHA256Mismatch", "x-amz-content-sha256 does not match the body",
                       400);
    }
  }

  const Target target = SplitTarget(request.target);
  const std::string canonical =
      CanonicalRequest(request.method, target.path, CanonicalQuery(ParseQueryString(target.query)),
                       Canonicalize(signed_headers), payload_hash, normalize_path);
  const std::string string_to_sign =
      StringToSign(Trim(*amz_date), Scope(auth->date, auth->region, auth->service), canonical);
  const std::string expected =
      Signature(secret_access_key, auth->date, auth->region, auth->service, string_to_sign);
  if (!ConstantTimeEquals(expected, auth->signature)) {
    return AuthError("SignatureDoesNotMatch",
                     "The request signature we calculated does not match the signature you "
                     "provided. Check your AWS Secret Access Key and signing method.",
                     403);
  }
  return auth;
}

}  // namespace kraken::aws
