#include "cloud/aws/ec2_client.h"

#include <gtest/gtest.h>

#include "cloud/aws/ec2_query.h"
#include "cloud/aws/ec2_xml_writer.h"
#include "cloud/aws/fake_http_transport.h"

namespace kraken::aws {
namespace {

const auto kNow = ParseAmzDate("20240102T030405Z").value();
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

Ec2ClientConfig Config(std::string endpoint = {}) {
  Ec2ClientConfig config;
  config.credentials = {"AKIDEXAMPLE", kSecret, ""};
  config.region = "eu-west-1";
  config.endpoint = std::move(endpoint);
  config.now = [] { return kNow; };
  return config;
}

SignableRequest AsSignable(const HttpRequest& request, const std::string& origin) {
  return {request.method, request.url.substr(origin.size()), request.headers, request.body};
}

TEST(Ec2ClientTest, SendsSignedQueryRequest) {
  FakeHttpTransport transport;
  transport.EnqueueResponse(
      200, WriteDescribeRegionsResponse(
               {"req-1", {{"eu-west-1", "ec2.eu-west-1.amazonaws.com", "opt-in-not-required"}}}));
  Ec2Client client(Config(), transport);
  EXPECT_EQ(client.endpoint(), "https://ec2.eu-west-1.amazonaws.com");

  auto regions = client.DescribeRegions();
  ASSERT_TRUE(regions) << regions.error().message;
  ASSERT_EQ(regions->regions.size(), 1u);
  EXPECT_EQ(regions->regions[0].name, "eu-west-1");

  ASSERT_EQ(transport.requests().size(), 1u);
  const HttpRequest& sent = transport.requests()[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "https://ec2.eu-west-1.amazonaws.com/");
  EXPECT_EQ(sent.body, "Action=DescribeRegions&Version=2016-11-15");
  // Signature computed independently of this code base (Python's hmac and hashlib).
  EXPECT_EQ(sent.headers,
            (std::vector<HttpHeader>{
                {"Host", "ec2.eu-west-1.amazonaws.com"},
                {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                {"X-Amz-Date", "20240102T030405Z"},
                {"Authorization",
                 "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/eu-west-1/ec2/aws4_request, "
                 "SignedHeaders=content-type;host;x-amz-date, "
                 "Signature=ecc82cd9f1d195f7a4a9e418a0d7c82d30a95741e91a9beb9bab615f0da41813"},
                {"User-Agent", "kraken"},
            }));
}

TEST(Ec2ClientTest, SignsSessionTokenAndUsesEndpointOverride) {
  FakeHttpTransport transport;
  transport.EnqueueResponse(200, WriteTerminateInstancesResponse(
                                     {"req", {{"i-1", {32, "shutting-down"}, {16, "running"}}}}));
  Ec2ClientConfig config = Config("http://127.0.0.1:8999/ec2/");
  config.credentials.session_token = "session/token+1=";
  Ec2Client client(config, transport);

  auto terminated = client.TerminateInstances({"i-1"});
  ASSERT_TRUE(terminated) << terminated.error().message;
  EXPECT_EQ(terminated->instances[0].current_state.name, "shutting-down");

  const HttpRequest& sent = transport.requests().at(0);
  EXPECT_EQ(sent.url, "http://127.0.0.1:8999/ec2");
  EXPECT_EQ(sent.body, "Action=TerminateInstances&Version=2016-11-15&InstanceId.1=i-1");
  SignableRequest received = AsSignable(sent, "http://127.0.0.1:8999");
  EXPECT_EQ(received.Header("Host"), "127.0.0.1:8999");
  EXPECT_EQ(received.Header("X-Amz-Security-Token"), "session/token+1=");
  auto verified = VerifySignature(received, kSecret, kNow);
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->region, "eu-west-1");
  EXPECT_EQ(verified->service, "ec2");
  EXPECT_EQ(
      verified->signed_headers,
      (std::vector<std::string>{"content-type", "host", "x-amz-date", "x-amz-security-token"}));
}

TEST(Ec2ClientTest, RunInstancesSendsEveryParameter) {
  FakeHttpTransport transport;
  RunInstancesResponse answer;
  answer.request_id = "req";
  answer.reservation.reservation_id = "r-1";
  answer.reservation.instances.push_back({"i-1",
                                          "ami-1",
                                          {0, "pending"},
                                          "t3.micro",
                                          "",
                                          "",
                                          "",
                                          "",
                                          "",
                                          true,
                                          {{"kraken-group", "7"}}});
  transport.EnqueueResponse(200, WriteRunInstancesResponse(answer));
  Ec2Client client(Config(), transport);

  RunInstancesRequest request;
  request.image_id = "ami-1";
  request.instance_type = "t3.micro";
  request.spot = true;
  request.user_data = "#!/bin/bash\n";
  request.tags = {{"kraken-group", "7"}};
  auto launched = client.RunInstances(request);
  ASSERT_TRUE(launched) << launched.error().message;
  ASSERT_EQ(launched->reservation.instances.size(), 1u);
  EXPECT_EQ(launched->reservation.instances[0].instance_id, "i-1");
  EXPECT_TRUE(launched->reservation.instances[0].spot);

  QueryParams sent = ParseQueryString(transport.requests().at(0).body);
  EXPECT_EQ(sent, RunInstancesParams(request).value());
  EXPECT_EQ(ParamValue(sent, "UserData"), "IyEvYmluL2Jhc2gK");
}

TEST(Ec2ClientTest, InvalidRunInstancesRequestSendsNothing) {
  FakeHttpTransport transport;
  Ec2Client client(Config(), transport);
  auto launched = client.RunInstances({});
  ASSERT_FALSE(launched);
  EXPECT_EQ(launched.error().code, "MissingParameter");
  EXPECT_TRUE(transport.requests().empty());
}

TEST(Ec2ClientTest, DescribeInstancesFollowsNextToken) {
  FakeHttpTransport transport;
  DescribeInstancesResponse page1{"req-a", {{"r-1", "1", {{"i-1"}}}}, "token-2"};
  DescribeInstancesResponse page2{"req-b", {{"r-2", "1", {{"i-2"}, {"i-3"}}}}, ""};
  page1.reservations[0].instances[0].state = {16, "running"};
  transport.EnqueueResponse(200, WriteDescribeInstancesResponse(page1));
  transport.EnqueueResponse(200, WriteDescribeInstancesResponse(page2));
  Ec2Client client(Config(), transport);

  DescribeInstancesRequest request;
  request.filters = {TagFilter("kraken-group", "7")};
  auto described = client.DescribeInstances(request);
  ASSERT_TRUE(described) << described.error().message;
  std::vector<Instance> instances = described->Instances();
  ASSERT_EQ(instances.size(), 3u);
  EXPECT_EQ(instances[0].instance_id, "i-1");
  EXPECT_EQ(instances[2].instance_id, "i-3");
  EXPECT_EQ(described->next_token, "");

  ASSERT_EQ(transport.requests().size(), 2u);
  QueryParams first = ParseQueryString(transport.requests()[0].body);
  QueryParams second = ParseQueryString(transport.requests()[1].body);
  EXPECT_EQ(ParamValue(first, "NextToken"), "");
  EXPECT_EQ(ParamValue(second, "NextToken"), "token-2");
  EXPECT_EQ(ParamValue(second, "Filter.1.Name"), "tag:kraken-group");
}

TEST(Ec2ClientTest, DescribeInstanceTypeOfferingsFollowsNextToken) {
  FakeHttpTransport transport;
  transport.EnqueueResponse(200, WriteDescribeInstanceTypeOfferingsResponse(
                                     {"a", {{"t3.micro", "region", "eu-west-1"}}, "n"}));
  transport.EnqueueResponse(200, WriteDescribeInstanceTypeOfferingsResponse(
                                     {"b", {{"t3.small", "region", "eu-west-1"}}, ""}));
  Ec2Client client(Config(), transport);
  auto offerings = client.DescribeInstanceTypeOfferings({});
  ASSERT_TRUE(offerings) << offerings.error().message;
  ASSERT_EQ(offerings->offerings.size(), 2u);
  EXPECT_EQ(offerings->offerings[1].instance_type, "t3.small");
  EXPECT_EQ(ParamValue(ParseQueryString(transport.requests()[0].body), "LocationType"), "region");
}

TEST(Ec2ClientTest, DescribeImages) {
  FakeHttpTransport transport;
  DescribeImagesResponse answer;
  answer.images.push_back({"ami-2", "win", "", "available", "1", "", "x86_64", Platform::kWindows,
                           "Windows", "ebs", "/dev/sda1"});
  transport.EnqueueResponse(200, WriteDescribeImagesResponse(answer));
  Ec2Client client(Config(), transport);
  auto images = client.DescribeImages({{"ami-2"}, {}, {}});
  ASSERT_TRUE(images) << images.error().message;
  ASSERT_EQ(images->images.size(), 1u);
  EXPECT_EQ(images->images[0].platform, Platform::kWindows);
  EXPECT_EQ(ParamValue(ParseQueryString(transport.requests()[0].body), "ImageId.1"), "ami-2");
}

TEST(Ec2ClientTest, MapsEc2ErrorsToRetryClasses) {
  FakeHttpTransport transport;
  transport.EnqueueResponse(
      503, WriteErrorResponse(
               MakeAwsError("RequestLimitExceeded", "Request limit exceeded.", 503, "r1")));
  transport.EnqueueResponse(500, WriteErrorResponse(MakeAwsError("InsufficientInstanceCapacity",
                                                                 "no capacity", 500, "r2")));
  transport.EnqueueResponse(401, WriteErrorResponse(MakeAwsError(
                                     "AuthFailure", "AWS was not able to validate", 401, "r3")));
  transport.EnqueueResponse(500, "<html>oops</html>");
  transport.EnqueueError(MakeAwsError("NetworkError", "connection refused", 0));
  Ec2Client client(Config(), transport);

  auto throttled = client.DescribeRegions();
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().kind, ErrorKind::kThrottled);
  EXPECT_EQ(throttled.error().request_id, "r1");
  EXPECT_EQ(throttled.error().http_status, 503);

  auto capacity = client.DescribeRegions();
  ASSERT_FALSE(capacity);
  EXPECT_EQ(capacity.error().kind, ErrorKind::kCapacity);

  auto denied = client.DescribeRegions();
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().kind, ErrorKind::kPermanent);
  EXPECT_EQ(denied.error().code, "AuthFailure");

  auto broken = client.DescribeRegions();
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().kind, ErrorKind::kTransient);

  auto offline = client.DescribeRegions();
  ASSERT_FALSE(offline);
  EXPECT_EQ(offline.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(offline.error().code, "NetworkError");
}

TEST(Ec2ClientTest, MissingRegionFailsWithoutSending) {
  FakeHttpTransport transport;
  Ec2ClientConfig config = Config();
  config.region.clear();
  config.endpoint = "http://127.0.0.1:1";
  Ec2Client client(config, transport);
  auto regions = client.DescribeRegions();
  ASSERT_FALSE(regions);
  EXPECT_EQ(regions.error().kind, ErrorKind::kPermanent);
  EXPECT_TRUE(transport.requests().empty());
}

// A receiver that checks signatures the way EC2 does, answering through the writers.
TEST(Ec2ClientTest, TalksToSignatureCheckingReceiver) {
  FakeHttpTransport transport;
  transport.SetHandler([](const HttpRequest& request) -> Result<HttpResponse> {
    SignableRequest received = AsSignable(request, "https://ec2.eu-west-1.amazonaws.com");
    auto verified = VerifySignature(received, kSecret, kNow);
    if (!verified)
      return HttpResponse{verified.error().http_status, {}, WriteErrorResponse(verified.error())};
    QueryParams params = ParseQueryString(request.body, /*plus_is_space=*/true);
    if (ParamValue(params, "Action") != "DescribeRegions") {
      return HttpResponse{400, {}, WriteErrorResponse(MakeAwsError("InvalidAction", "no", 400))};
    }
    return HttpResponse{200, {}, WriteDescribeRegionsResponse({"ok", {{"eu-west-1", "e", ""}}})};
  });
  EXPECT_TRUE(Ec2Client(Config(), transport).DescribeRegions());

  Ec2ClientConfig wrong = Config();
  wrong.credentials.secret_access_key = "wrong";
  auto rejected = Ec2Client(wrong, transport).DescribeRegions();
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(rejected.error().kind, ErrorKind::kPermanent);
}

}  // namespace
}  // namespace kraken::aws
