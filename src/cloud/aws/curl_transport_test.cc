#include "cloud/aws/curl_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "cloud/aws/ec2_client.h"
#include "cloud/aws/ec2_xml_writer.h"
#include "cloud/aws/test_http_server.h"

namespace kraken::aws {
namespace {

using namespace std::chrono_literals;

// Splits a raw CRLF request into the form VerifySignature reads.
SignableRequest ParseReceived(const std::string& raw) {
  SignableRequest request;
  size_t head_end = raw.find("\r\n\r\n");
  std::string head = raw.substr(0, head_end);
  request.body = raw.substr(head_end + 4);
  size_t line_end = head.find("\r\n");
  std::string request_line = head.substr(0, line_end);
  request.method = request_line.substr(0, request_line.find(' '));
  request.target = request_line.substr(request.method.size() + 1,
                                       request_line.rfind(' ') - request.method.size() - 1);
  size_t pos = line_end + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    size_t colon = line.find(':');
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    request.headers.push_back({line.substr(0, colon), value});
    pos = end + 2;
  }
  return request;
}

TEST(CurlTransportTest, PostsAndReadsResponse) {
  OneRequestServer server([](const std::string&) { return HttpReply(200, "OK", "<ok/>"); });
  CurlTransport transport;
  HttpRequest request{"POST",
                      server.url() + "/path?q=1",
                      {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Custom", "a b"}},
                      "Action=DescribeRegions"};
  auto response = transport.Send(request);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "<ok/>");
  EXPECT_TRUE(std::find(response->headers.begin(), response->headers.end(),
                        HttpHeader{"X-Test", "yes"}) != response->headers.end());

  SignableRequest received = ParseReceived(server.received());
  EXPECT_EQ(received.method, "POST");
  EXPECT_EQ(received.target, "/path?q=1");
  EXPECT_EQ(received.Header("X-Custom"), "a b");
  EXPECT_EQ(received.Header("Expect"), std::nullopt);
  EXPECT_EQ(received.body, "Action=DescribeRegions");
}

TEST(CurlTransportTest, ErrorStatusIsAResponse) {
  OneRequestServer server(
      [](const std::string&) { return HttpReply(503, "Service Unavailable", "<Response/>"); });
  CurlTransport transport;
  auto response = transport.Send({"GET", server.url() + "/", {}, ""});
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(ParseReceived(server.received()).method, "GET");
}

TEST(CurlTransportTest, RefusedConnectionIsTransient) {
  int port = 0;
  int fd = ListenOnLoopback(&port);
  close(fd);  // nothing listens on the port any more
  CurlTransport transport;
  auto response = transport.Send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, ""});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "NetworkError");
  EXPECT_EQ(response.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(response.error().http_status, 0);
}

TEST(CurlTransportTest, SlowServerTimesOut) {
  OneRequestServer server([](const std::string&) {
    std::this_thread::sleep_for(600ms);
    return HttpReply(200, "OK", "late");
  });
  CurlTransportOptions options;
  options.total_timeout = 100ms;
  CurlTransport transport(options);
  auto started = std::chrono::steady_clock::now();
  auto response = transport.Send({"GET", server.url() + "/", {}, ""});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kTransient);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms);
}

TEST(CurlTransportTest, RejectsOtherProtocols) {
  CurlTransport transport;
  auto response = transport.Send({"GET", "ftp://127.0.0.1:1/", {}, ""});
  ASSERT_FALSE(response);
}

// The whole path: client, SigV4, libcurl, a socket, and a receiver checking the signature.
TEST(CurlTransportTest, Ec2ClientOverLoopback) {
  const auto now = ParseAmzDate("20240102T030405Z").value();
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  std::string verification;
  OneRequestServer server([&](const std::string& raw) {
    auto verified = VerifySignature(ParseReceived(raw), secret, now);
    verification = verified ? "ok" : verified.error().code + ": " + verified.error().message;
    return HttpReply(
        200, "OK",
        WriteDescribeRegionsResponse({"req", {{"us-east-1", "ec2.us-east-1.amazonaws.com", ""}}}));
  });

  CurlTransport transport;
  Ec2ClientConfig config;
  config.credentials = {"AKIDEXAMPLE", secret, ""};
  config.region = "us-east-1";
  config.endpoint = server.url();
  config.now = [now] { return now; };
  auto regions = Ec2Client(config, transport).DescribeRegions();
  ASSERT_TRUE(regions) << regions.error().message;
  ASSERT_EQ(regions->regions.size(), 1u);
  EXPECT_EQ(regions->regions[0].name, "us-east-1");
  EXPECT_EQ(verification, "ok");
  SignableRequest received = ParseReceived(server.received());
  EXPECT_EQ(received.Header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(received.body, "Action=DescribeRegions&Version=2016-11-15");
}

}  // namespace
}  // namespace kraken::aws
