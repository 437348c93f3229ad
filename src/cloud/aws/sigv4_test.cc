#include "cloud/aws/sigv4.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/external_testdata.h"

namespace kraken::aws {
namespace {

namespace fs = std::filesystem;
using std::chrono::system_clock;

const fs::path kSuiteDir = testing_support::ExternalTestdata("aws-sigv4");

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Parses the suite's request.txt: a raw HTTP/1.1 request with LF line ends, where a line
// starting with whitespace continues the previous header. The continuation is kept raw
// ("\n  value2") because the expected signed request reproduces it.
SignableRequest ParseRawRequest(const std::string& text) {
  SignableRequest request;
  size_t line_end = text.find('\n');
  std::string request_line = text.substr(0, line_end);
  size_t first_space = request_line.find(' ');
  size_t last_space = request_line.rfind(' ');
  request.method = request_line.substr(0, first_space);
  request.target = request_line.substr(first_space + 1, last_space - first_space - 1);

  size_t pos = line_end + 1;
  while (pos < text.size()) {
    line_end = text.find('\n', pos);
    if (line_end == std::string::npos) line_end = text.size();
    std::string line = text.substr(pos, line_end - pos);
    pos = line_end + 1;
    if (line.empty()) {
      if (pos < text.size()) request.body = text.substr(pos);
      break;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !request.headers.empty()) {
      request.headers.back().value += "\n" + line;
      continue;
    }
    size_t colon = line.find(':');
    request.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
  }
  return request;
}

std::string FormatRawRequest(const SignableRequest& request) {
  std::string out = request.method + " " + request.target + " HTTP/1.1\n";
  for (const HttpHeader& header : request.headers) {
    out += header.name + ":" + header.value + "\n";
  }
  return out + "\n" + request.body;
}

struct SuiteCase {
  SignableRequest request;
  SigningParams params;
};

SuiteCase LoadCase(const std::string& name) {
  const fs::path dir = kSuiteDir / name;
  nlohmann::json context = nlohmann::json::parse(ReadFile(dir / "context.json"));
  SuiteCase out;
  out.request = ParseRawRequest(ReadFile(dir / "request.txt"));
  const auto& credentials = context.at("credentials");
  out.params.credentials.access_key_id = credentials.at("access_key_id");
  out.params.credentials.secret_access_key = credentials.at("secret_access_key");
  out.params.credentials.session_token = credentials.value("token", "");
  out.params.region = context.at("region");
  out.params.service = context.at("service");
  // "2015-08-30T12:36:00Z" -> "20150830T123600Z"
  std::string timestamp = context.at("timestamp");
  std::erase_if(timestamp, [](char c) { return c == '-' || c == ':'; });
  out.params.time = ParseAmzDate(timestamp).value();
  out.params.normalize_path = context.value("normalize", true);
  out.params.add_content_sha256_header = context.value("sign_body", false);
  out.params.omit_session_token = context.value("omit_session_token", false);
  out.params.expires = std::chrono::seconds(context.value("expiration_in_seconds", 3600));
  return out;
}

std::vector<std::string> SuiteCaseNames() {
  std::vector<std::string> names;
  if (!fs::is_directory(kSuiteDir)) return names;
  for (const auto& entry : fs::directory_iterator(kSuiteDir)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class Sigv4SuiteTest : public testing::TestWithParam<std::string> {
 protected:
  std::string Expected(const std::string& file) const {
    return ReadFile(kSuiteDir / GetParam() / file);
  }
};

TEST_P(Sigv4SuiteTest, HeaderSigning) {
  SuiteCase c = LoadCase(GetParam());
  SignedRequest signed_request = SignRequest(c.request, c.params);
  EXPECT_EQ(signed_request.canonical_request, Expected("header-canonical-request.txt"));
  EXPECT_EQ(signed_request.string_to_sign, Expected("header-string-to-sign.txt"));
  EXPECT_EQ(signed_request.signature, Expected("header-signature.txt"));
  EXPECT_EQ(FormatRawRequest(signed_request.request), Expected("header-signed-request.txt"));
}

TEST_P(Sigv4SuiteTest, QuerySigning) {
  SuiteCase c = LoadCase(GetParam());
  SignedRequest signed_request = PresignRequest(c.request, c.params);
  EXPECT_EQ(signed_request.canonical_request, Expected("query-canonical-request.txt"));
  EXPECT_EQ(signed_request.string_to_sign, Expected("query-string-to-sign.txt"));
  EXPECT_EQ(signed_request.signature, Expected("query-signature.txt"));
  EXPECT_EQ(FormatRawRequest(signed_request.request), Expected("query-signed-request.txt"));
}

// The suite's expected signed requests must pass the receiving-side check too.
TEST_P(Sigv4SuiteTest, VerifiesExpectedSignedRequest) {
  SuiteCase c = LoadCase(GetParam());
  SignableRequest received = ParseRawRequest(Expected("header-signed-request.txt"));
  Result<AuthorizationHeader> verified = VerifySignature(
      received, c.params.credentials.secret_access_key, c.params.time, c.params.normalize_path);
  ASSERT_TRUE(verified) << verified.error().code << ": " << verified.error().message;
  EXPECT_EQ(verified->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(verified->signature, Expected("header-signature.txt"));
}

TEST(Sigv4SuiteTest, SuiteIsPresent) {
  if (!fs::is_directory(kSuiteDir)) GTEST_SKIP() << testing_support::AbsentReason(kSuiteDir);
  EXPECT_EQ(SuiteCaseNames().size(), 38u) << "cases in " << kSuiteDir;
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Sigv4SuiteTest);
INSTANTIATE_TEST_SUITE_P(AwsSuite, Sigv4SuiteTest, testing::ValuesIn(SuiteCaseNames()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

SigningParams Ec2Params(system_clock::time_point time) {
  SigningParams params;
  params.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  params.region = "eu-west-1";
  params.service = "ec2";
  params.time = time;
  return params;
}

SignableRequest Ec2Request() {
  return {"POST",
          "/",
          {{"Host", "ec2.eu-west-1.amazonaws.com"},
           {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
          "Action=DescribeRegions&Version=2016-11-15"};
}

const system_clock::time_point kNow = ParseAmzDate("20240102T030405Z").value();

TEST(VerifySignatureTest, AcceptsOwnSignature) {
  SignedRequest signed_request = SignRequest(Ec2Request(), Ec2Params(kNow));
  auto verified =
      VerifySignature(signed_request.request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", kNow);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->region, "eu-west-1");
  EXPECT_EQ(verified->service, "ec2");
  EXPECT_EQ(verified->date, "20240102");
  EXPECT_EQ(verified->signed_headers,
            (std::vector<std::string>{"content-type", "host", "x-amz-date"}));
}

TEST(VerifySignatureTest, RejectsWrongSecret) {
  SignedRequest signed_request = SignRequest(Ec2Request(), Ec2Params(kNow));
  auto verified = VerifySignature(signed_request.request, "not-the-secret", kNow);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(verified.error().http_status, 403);
}

TEST(VerifySignatureTest, RejectsTamperedBody) {
  SignedRequest signed_request = SignRequest(Ec2Request(), Ec2Params(kNow));
  signed_request.request.body = "Action=TerminateInstances&Version=2016-11-15";
  auto verified =
      VerifySignature(signed_request.request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", kNow);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, "SignatureDoesNotMatch");
}

TEST(VerifySignatureTest, RejectsTamperedSignedHeader) {
  SignedRequest signed_request = SignRequest(Ec2Request(), Ec2Params(kNow));
  signed_request.request.headers[0].value = "ec2.us-east-1.amazonaws.com";
  EXPECT_FALSE(
      VerifySignature(signed_request.request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", kNow));
}

TEST(VerifySignatureTest, IgnoresUnsignedHeaderAddedInTransit) {
  SignedRequest signed_request = SignRequest(Ec2Request(), Ec2Params(kNow));
  signed_request.request.headers.push_back({"User-Agent", "curl/8"});
  EXPECT_TRUE(
      VerifySignature(signed_request.request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", kNow));
}

TEST(VerifySignatureTest, RejectsSkewedClock) {
  SignedRequest signed_request = SignRequest(Ec2Request(), Ec2Params(kNow));
  auto verified =
      VerifySignature(signed_request.request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                      kNow + std::chrono::minutes(16));
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, "RequestExpired");
  EXPECT_TRUE(VerifySignature(signed_request.request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                              kNow - std::chrono::minutes(14)));
}

TEST(VerifySignatureTest, RejectsMissingAuthorization) {
  auto verified = VerifySignature(Ec2Request(), "secret", kNow);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, "MissingAuthenticationToken");
}

TEST(VerifySignatureTest, AcceptsSessionTokenSignature) {
  SigningParams params = Ec2Params(kNow);
  params.credentials.session_token = "FwoGZXIvYXdzEXAMPLE+/=";
  SignedRequest signed_request = SignRequest(Ec2Request(), params);
  EXPECT_EQ(signed_request.request.Header("x-amz-security-token"), "FwoGZXIvYXdzEXAMPLE+/=");
  EXPECT_TRUE(
      VerifySignature(signed_request.request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", kNow));
}

TEST(SignRequestTest, ResigningReplacesAuthenticationHeaders) {
  SignedRequest first = SignRequest(Ec2Request(), Ec2Params(kNow));
  SignedRequest second = SignRequest(first.request, Ec2Params(kNow + std::chrono::seconds(30)));
  EXPECT_EQ(second.request.headers.size(), first.request.headers.size());
  EXPECT_EQ(second.canonical_request.find("authorization"), std::string::npos);
  EXPECT_TRUE(VerifySignature(second.request, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                              kNow + std::chrono::seconds(30)));
}

TEST(SignRequestTest, EscapedPathIsEncodedAgainExceptForS3) {
  SignableRequest request{"GET", "/a%20b/./c", {{"Host", "example.com"}}, ""};
  SigningParams params = Ec2Params(kNow);
  auto second_line = [](const std::string& canonical) {
    size_t start = canonical.find('\n') + 1;
    return canonical.substr(start, canonical.find('\n', start) - start);
  };
  EXPECT_EQ(second_line(SignRequest(request, params).canonical_request), "/a%2520b/c");
  params.normalize_path = false;
  EXPECT_EQ(second_line(SignRequest(request, params).canonical_request), "/a%20b/./c");
}

TEST(ParseAuthorizationHeaderTest, ParsesAllParts) {
  auto auth = ParseAuthorizationHeader(
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ec2/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abc123");
  ASSERT_TRUE(auth);
  EXPECT_EQ(auth->access_key_id, "AKID");
  EXPECT_EQ(auth->date, "20150830");
  EXPECT_EQ(auth->region, "us-east-1");
  EXPECT_EQ(auth->service, "ec2");
  EXPECT_EQ(auth->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
  EXPECT_EQ(auth->signature, "abc123");
}

TEST(ParseAuthorizationHeaderTest, RejectsMalformedHeaders) {
  for (const char* value :
       {"", "Basic dXNlcjpwYXNz", "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ec2, SignedHeaders=host, "
        "Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ec2/aws4_request, "
        "Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ec2/aws4_request, "
        "SignedHeaders=host"}) {
    auto auth = ParseAuthorizationHeader(value);
    ASSERT_FALSE(auth) << value;
    EXPECT_EQ(auth.error().code, "IncompleteSignature");
  }
}

TEST(AmzDateTest, RoundTrips) {
  EXPECT_EQ(FormatAmzDate(kNow), "20240102T030405Z");
  EXPECT_FALSE(ParseAmzDate("2024-01-02T03:04:05Z"));
  EXPECT_FALSE(ParseAmzDate("20240102T0304O5Z"));
}

}  // namespace
}  // namespace kraken::aws
