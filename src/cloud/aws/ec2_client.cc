#include "cloud/aws/ec2_client.h"

#include <utility>

#include "cloud/aws/ec2_query.h"
#include "cloud/aws/ec2_xml_parser.h"

namespace kraken::aws {
namespace {

// A loop guard: a server that keeps handing out tokens must not hang the caller.
constexpr int kMaxPages = 1000;

std::string DefaultEndpoint(const Ec2ClientConfig& config) {
  std::string endpoint =
      config.endpoint.empty() ? "https://ec2." + config.region + ".amazonaws.com" : config.endpoint;
  while (endpoint.ends_with('/')) endpoint.pop_back();
  return endpoint;
}

struct SplitUrl {
  std::string origin;     // scheme://authority
  std::string authority;  // host[:port], the Host header
  std::string path;       // "/" at least
};

SplitUrl Split(const std::string& url) {
  SplitUrl out;
  size_t scheme_end = url.find("://");
  size_t authority_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  size_t path_start = url.find('/', authority_start);
  if (path_start == std::string::npos) path_start = url.size();
  out.origin = url.substr(0, path_start);
  out.authority = url.substr(authority_start, path_start - authority_start);
  out.path = path_start < url.size() ? url.substr(path_start) : "/";
  return out;
}

tl::unexpected<AwsError> TooManyPages(std::string_view action) {
  return Fail(
      MakeAwsError("MalformedResponse", std::string(action) + " returned more than 1000 pages", 0));
}

}  // namespace

Ec2Client::Ec2Client(Ec2ClientConfig config, HttpTransport& transport)
    : config_(std::move(config)), endpoint_(DefaultEndpoint(config_)), transport_(transport) {}

Result<std::string> Ec2Client::Call(const QueryParams& params) {
  if (config_.region.empty()) {
    return Fail(MakeAwsError("MissingParameter", "no AWS region configured", 0));
  }
  const SplitUrl url = Split(endpoint_);
  SignableRequest request;
  request.method = "POST";
  request.target = url.path;
  request.headers = {{"Host", url.authority},
                     {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = BuildQueryString(params);

  SigningParams signing;
  signing.credentials = config_.credentials;
  signing.region = config_.region;
  signing.service = "ec2";
  signing.time = config_.now ? config_.now() : std::chrono::system_clock::now();
  SignedRequest signed_request = SignRequest(request, signing);

  HttpRequest http;
  http.method = "POST";
  http.url = url.origin + signed_request.request.target;
  http.headers = std::move(signed_request.request.headers);
  http.headers.push_back({"User-Agent", "kraken"});
  http.body = std::move(signed_request.request.body);

  Result<HttpResponse> response = transport_.Send(http);
  if (!response) return Fail(std::move(response.error()));
  if (response->status < 200 || response->status > 299) {
    return Fail(ParseErrorResponse(response->body, response->status));
  }
  return std::move(response->body);
}

Result<RunInstancesResponse> Ec2Client::RunInstances(const RunInstancesRequest& request) {
  Result<QueryParams> params = RunInstancesParams(request);
  if (!params) return Fail(std::move(params.error()));
  Result<std::string> body = Call(*params);
  if (!body) return Fail(std::move(body.error()));
  return ParseRunInstancesResponse(*body);
}

Result<DescribeInstancesResponse> Ec2Client::DescribeInstances(
    const DescribeInstancesRequest& request) {
  DescribeInstancesRequest page_request = request;
  DescribeInstancesResponse all;
  for (int page = 0; page < kMaxPages; ++page) {
    Result<std::string> body = Call(DescribeInstancesParams(page_request));
    if (!body) return Fail(std::move(body.error()));
    Result<DescribeInstancesResponse> response = ParseDescribeInstancesResponse(*body);
    if (!response) return response;
    all.request_id = response->request_id;
    for (Reservation& reservation : response->reservations) {
      all.reservations.push_back(std::move(reservation));
    }
    if (response->next_token.empty()) return all;
    page_request.next_token = response->next_token;
  }
  return TooManyPages("DescribeInstances");
}

Result<TerminateInstancesResponse> Ec2Client::TerminateInstances(
    const std::vector<std::string>& instance_ids) {
  Result<std::string> body = Call(TerminateInstancesParams(instance_ids));
  if (!body) return Fail(std::move(body.error()));
  return ParseTerminateInstancesResponse(*body);
}

Result<DescribeRegionsResponse> Ec2Client::DescribeRegions(const DescribeRegionsRequest& request) {
  Result<std::string> body = Call(DescribeRegionsParams(request));
  if (!body) return Fail(std::move(body.error()));
  return ParseDescribeRegionsResponse(*body);
}

Result<DescribeInstanceTypeOfferingsResponse> Ec2Client::DescribeInstanceTypeOfferings(
    const DescribeInstanceTypeOfferingsRequest& request) {
  DescribeInstanceTypeOfferingsRequest page_request = request;
  DescribeInstanceTypeOfferingsResponse all;
  for (int page = 0; page < kMaxPages; ++page) {
    Result<std::string> body = Call(DescribeInstanceTypeOfferingsParams(page_request));
    if (!body) return Fail(std::move(body.error()));
    Result<DescribeInstanceTypeOfferingsResponse> response =
        ParseDescribeInstanceTypeOfferingsResponse(*body);
    if (!response) return response;
    all.request_id = response->request_id;
    all.offerings.insert(all.offerings.end(), response->offerings.begin(),
                         response->offerings.end());
    if (response->next_token.empty()) return all;
    page_request.next_token = response->next_token;
  }
  return TooManyPages("DescribeInstanceTypeOfferings");
}

Result<DescribeImagesResponse> Ec2Client::DescribeImages(const DescribeImagesRequest& request) {
  Result<std::string> body = Call(DescribeImagesParams(request));
  if (!body) return Fail(std::move(body.error()));
  return ParseDescribeImagesResponse(*body);
}

}  // namespace kraken::aws
