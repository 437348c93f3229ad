#include "ec2emu/query_reader.h"

#include <charconv>
#include <ctime>
#include <map>
#include <random>
#include <set>

namespace kraken::ec2emu {
namespace {

// The number right after `prefix`."; -1 when the name is not `prefix`.N...
int IndexAfter(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix) || name.size() <= prefix.size() || name[prefix.size()] != '.')
    return -1;
  std::string_view rest = name.substr(prefix.size() + 1);
  int n = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
  if (ec != std::errc() || n < 1) return -1;
  if (end != rest.data() + rest.size() && *end != '.') return -1;
  return n;
}

std::string RandomHex(size_t digits) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < digits; ++i) out.push_back(kHex[rng() % 16]);
  return out;
}

}  // namespace

tl::unexpected<aws::AwsError> Ec2Fail(std::string code, std::string message, int status) {
  aws::AwsError error = aws::MakeAwsError(std::move(code), std::move(message), status);
  return aws::Fail(std::move(error));
}

std::vector<std::string> ListParam(const aws::QueryParams& params, std::string_view prefix) {
  std::map<int, std::string> values;
  for (const auto& [name, value] : params) {
    int n = IndexAfter(name, prefix);
    if (n > 0 && name.size() == prefix.size() + 1 + std::to_string(n).size()) values[n] = value;
  }
  std::vector<std::string> out;
  for (auto& [n, value] : values) out.push_back(std::move(value));
  return out;
}

std::vector<int> MemberIndexes(const aws::QueryParams& params, std::string_view prefix) {
  std::set<int> indexes;
  for (const auto& [name, value] : params) {
    int n = IndexAfter(name, prefix);
    if (n > 0) indexes.insert(n);
  }
  return {indexes.begin(), indexes.end()};
}

std::vector<aws::Filter> FilterParams(const aws::QueryParams& params) {
  std::vector<aws::Filter> filters;
  for (int n : MemberIndexes(params, "Filter")) {
    const std::string base = "Filter." + std::to_string(n);
    aws::Filter filter;
    filter.name = std::string(aws::ParamValue(params, base + ".Name"));
    filter.values = ListParam(params, base + ".Value");
    filters.push_back(std::move(filter));
  }
  return filters;
}

aws::Result<std::optional<int64_t>> IntParam(const aws::QueryParams& params, std::string_view name,
                                             int64_t min, int64_t max) {
  bool present = false;
  for (const auto& [n, v] : params) present = present || n == name;
  if (!present) return std::optional<int64_t>();
  std::string_view text = aws::ParamValue(params, name);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Ec2Fail("InvalidParameterValue",
                   "Invalid value '" + std::string(text) + "' for " + std::string(name) +
                       ". It must be an integer between " + std::to_string(min) + " and " +
                       std::to_string(max) + ".");
  }
  return std::optional<int64_t>(value);
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::optional<std::string> Base64Decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  size_t padding = 0;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    int v = value(c);
    if (v < 0 || padding > 0) return std::nullopt;  // data after padding
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (padding > 2 || bits >= 6) return std::nullopt;
  return out;
}

std::string NewResourceId(const std::string& prefix) { return prefix + "-" + RandomHex(17); }

std::string NewRequestId() {
  return RandomHex(8) + "-" + RandomHex(4) + "-4" + RandomHex(3) + "-a" + RandomHex(3) + "-" +
         RandomHex(12);
}

std::string IsoTime(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buffer, static_cast<int>(unix_ms % 1000));
  return out;
}

}  // namespace kraken::ec2emu
