#include <gtest/gtest.h>

#include "cloud/aws/ec2_xml_parser.h"
#include "cloud/aws/ec2_xml_writer.h"

namespace kraken::aws {
namespace {

// Shaped like EC2's real answers, with elements Kraken does not read left in to show
// that they are skipped.
constexpr const char* kDescribeInstances = R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
    <reservationSet>
        <item>
            <reservationId>r-1234567890abcdef0</reservationId>
            <ownerId>123456789012</ownerId>
            <groupSet/>
            <instancesSet>
                <item>
                    <instanceId>i-1234567890abcdef0</instanceId>
                    <imageId>ami-bff32ccc</imageId>
                    <instanceState>
                        <code>16</code>
                        <name>running</name>
                    </instanceState>
                    <privateDnsName>ip-192-168-1-88.eu-west-1.compute.internal</privateDnsName>
                    <dnsName>ec2-54-194-252-215.eu-west-1.compute.amazonaws.com</dnsName>
                    <reason/>
                    <keyName>my_keypair</keyName>
                    <amiLaunchIndex>0</amiLaunchIndex>
                    <productCodes/>
                    <instanceType>t2.micro</instanceType>
                    <launchTime>2018-05-08T16:46:19.000Z</launchTime>
                    <placement>
                        <availabilityZone>eu-west-1c</availabilityZone>
                        <groupName/>
                        <tenancy>default</tenancy>
                    </placement>
                    <monitoring>
                        <state>disabled</state>
                    </monitoring>
                    <subnetId>subnet-56f5f000</subnetId>
                    <vpcId>vpc-11112222</vpcId>
                    <privateIpAddress>192.168.1.88</privateIpAddress>
                    <ipAddress>54.194.252.215</ipAddress>
                    <sourceDestCheck>true</sourceDestCheck>
                    <groupSet>
                        <item>
                            <groupId>sg-e4076000</groupId>
                            <groupName>SecurityGroup1</groupName>
                        </item>
                    </groupSet>
                    <architecture>x86_64</architecture>
                    <rootDeviceType>ebs</rootDeviceType>
                    <rootDeviceName>/dev/xvda</rootDeviceName>
                    <blockDeviceMapping>
                        <item>
                            <deviceName>/dev/xvda</deviceName>
                            <ebs>
                                <volumeId>vol-1234567890abcdef0</volumeId>
                                <status>attached</status>
                                <attachTime>2015-12-22T10:44:09.000Z</attachTime>
                                <deleteOnTermination>true</deleteOnTermination>
                            </ebs>
                        </item>
                    </blockDeviceMapping>
                    <instanceLifecycle>spot</instanceLifecycle>
                    <spotInstanceRequestId>sir-abcd1234</spotInstanceRequestId>
                    <virtualizationType>hvm</virtualizationType>
                    <clientToken>xMcwG14507example</clientToken>
                    <tagSet>
                        <item>
                            <key>Name</key>
                            <value>Server_1</value>
                        </item>
                        <item>
                            <key>kraken-group</key>
                            <value>7</value>
                        </item>
                    </tagSet>
                    <hypervisor>xen</hypervisor>
                    <ebsOptimized>false</ebsOptimized>
                </item>
            </instancesSet>
        </item>
        <item>
            <reservationId>r-0fedcba9876543210</reservationId>
            <ownerId>123456789012</ownerId>
            <groupSet/>
            <instancesSet>
                <item>
                    <instanceId>i-0598c7d356eba48d7</instanceId>
                    <imageId>ami-bff32ccc</imageId>
                    <instanceState>
                        <code>0</code>
                        <name>pending</name>
                    </instanceState>
                    <instanceType>t3.small</instanceType>
                    <launchTime>2018-05-08T16:50:01.000Z</launchTime>
                    <placement>
                        <availabilityZone>eu-west-1a</availabilityZone>
                    </placement>
                </item>
            </instancesSet>
        </item>
    </reservationSet>
    <nextToken>page-2</nextToken>
</DescribeInstancesResponse>)";

TEST(ParseDescribeInstancesTest, ReadsEc2Document) {
  auto response = ParseDescribeInstancesResponse(kDescribeInstances);
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->request_id, "8f7724cf-496f-496e-8fe3-example");
  EXPECT_EQ(response->next_token, "page-2");
  ASSERT_EQ(response->reservations.size(), 2u);
  EXPECT_EQ(response->reservations[0].reservation_id, "r-1234567890abcdef0");
  EXPECT_EQ(response->reservations[0].owner_id, "123456789012");

  std::vector<Instance> instances = response->Instances();
  ASSERT_EQ(instances.size(), 2u);
  const Instance& first = instances[0];
  EXPECT_EQ(first.instance_id, "i-1234567890abcdef0");
  EXPECT_EQ(first.image_id, "ami-bff32ccc");
  EXPECT_EQ(first.state, (InstanceState{16, "running"}));
  EXPECT_EQ(first.instance_type, "t2.micro");
  EXPECT_EQ(first.launch_time, "2018-05-08T16:46:19.000Z");
  EXPECT_EQ(first.availability_zone, "eu-west-1c");
  EXPECT_EQ(first.private_ip_address, "192.168.1.88");
  EXPECT_EQ(first.public_ip_address, "54.194.252.215");
  EXPECT_EQ(first.subnet_id, "subnet-56f5f000");
  EXPECT_TRUE(first.spot);
  EXPECT_EQ(first.tags, (std::vector<Tag>{{"Name", "Server_1"}, {"kraken-group", "7"}}));
  EXPECT_EQ(first.TagValue("kraken-group"), "7");
  EXPECT_EQ(first.TagValue("missing"), std::nullopt);

  const Instance& second = instances[1];
  EXPECT_EQ(second.state, (InstanceState{0, "pending"}));
  EXPECT_FALSE(second.spot);
  EXPECT_TRUE(second.tags.empty());
  EXPECT_EQ(second.private_ip_address, "");
}

TEST(ParseRunInstancesTest, ReadsEc2Document) {
  auto response = ParseRunInstancesResponse(R"(<?xml version="1.0" encoding="UTF-8"?>
<RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <reservationId>r-1234567890abcdef0</reservationId>
  <ownerId>123456789012</ownerId>
  <groupSet/>
  <instancesSet>
    <item>
      <instanceId>i-1234567890abcdef0</instanceId>
      <imageId>ami-bff32ccc</imageId>
      <instanceState><code>0</code><name>pending</name></instanceState>
      <privateDnsName/>
      <dnsName/>
      <amiLaunchIndex>0</amiLaunchIndex>
      <instanceType>t3.micro</instanceType>
      <launchTime>2024-01-02T03:04:05.000Z</launchTime>
      <placement><availabilityZone>us-east-1b</availabilityZone></placement>
      <subnetId>subnet-1</subnetId>
      <privateIpAddress>10.0.0.12</privateIpAddress>
      <tagSet><item><key>kraken-group</key><value>linux</value></item></tagSet>
    </item>
  </instancesSet>
</RunInstancesResponse>)");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->request_id, "59dbff89-35bd-4eac-99ed-be587EXAMPLE");
  EXPECT_EQ(response->reservation.reservation_id, "r-1234567890abcdef0");
  ASSERT_EQ(response->reservation.instances.size(), 1u);
  EXPECT_EQ(response->reservation.instances[0].instance_id, "i-1234567890abcdef0");
  EXPECT_EQ(response->reservation.instances[0].state.name, "pending");
  EXPECT_EQ(response->reservation.instances[0].private_ip_address, "10.0.0.12");
  EXPECT_EQ(response->reservation.instances[0].TagValue("kraken-group"), "linux");
}

TEST(ParseTerminateInstancesTest, ReadsEc2Document) {
  auto response = ParseTerminateInstancesResponse(
      R"(<TerminateInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
  <instancesSet>
    <item>
      <instanceId>i-1234567890abcdef0</instanceId>
      <currentState><code>32</code><name>shutting-down</name></currentState>
      <previousState><code>16</code><name>running</name></previousState>
    </item>
  </instancesSet>
</TerminateInstancesResponse>)");
  ASSERT_TRUE(response) << response.error().message;
  ASSERT_EQ(response->instances.size(), 1u);
  EXPECT_EQ(response->instances[0],
            (InstanceStateChange{"i-1234567890abcdef0", {32, "shutting-down"}, {16, "running"}}));
}

TEST(ParseDescribeRegionsTest, ReadsEc2Document) {
  auto response = ParseDescribeRegionsResponse(
      R"(<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
   <regionInfo>
      <item>
         <regionName>us-east-1</regionName>
         <regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint>
         <optInStatus>opt-in-not-required</optInStatus>
      </item>
      <item>
         <regionName>af-south-1</regionName>
         <regionEndpoint>ec2.af-south-1.amazonaws.com</regionEndpoint>
         <optInStatus>not-opted-in</optInStatus>
      </item>
   </regionInfo>
</DescribeRegionsResponse>)");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(
      response->regions,
      (std::vector<Region>{{"us-east-1", "ec2.us-east-1.amazonaws.com", "opt-in-not-required"},
                           {"af-south-1", "ec2.af-south-1.amazonaws.com", "not-opted-in"}}));
}

TEST(ParseDescribeInstanceTypeOfferingsTest, ReadsEc2Document) {
  auto response = ParseDescribeInstanceTypeOfferingsResponse(
      R"(<DescribeInstanceTypeOfferingsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>3f8f7d2e-example</requestId>
    <instanceTypeOfferingSet>
        <item>
            <instanceType>t3.micro</instanceType>
            <locationType>region</locationType>
            <location>eu-west-1</location>
        </item>
        <item>
            <instanceType>m6i.large</instanceType>
            <locationType>region</locationType>
            <location>eu-west-1</location>
        </item>
    </instanceTypeOfferingSet>
    <nextToken>next</nextToken>
</DescribeInstanceTypeOfferingsResponse>)");
  ASSERT_TRUE(response) << response.error().message;
  EXPECT_EQ(response->offerings,
            (std::vector<InstanceTypeOffering>{{"t3.micro", "region", "eu-west-1"},
                                               {"m6i.large", "region", "eu-west-1"}}));
  EXPECT_EQ(response->next_token, "next");
}

TEST(ParseDescribeImagesTest, TellsWindowsFromLinux) {
  auto response = ParseDescribeImagesResponse(
      R"(<DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
   <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
   <imagesSet>
      <item>
         <imageId>ami-1a2b3c4d</imageId>
         <imageLocation>amazon/getting-started</imageLocation>
         <imageState>available</imageState>
         <imageOwnerId>123456789012</imageOwnerId>
         <creationDate>2023-11-02T10:00:00.000Z</creationDate>
         <isPublic>true</isPublic>
         <architecture>x86_64</architecture>
         <platformDetails>Linux/UNIX</platformDetails>
         <imageType>machine</imageType>
         <name>al2023-ami-2023.2</name>
         <description>Amazon Linux 2023</description>
         <rootDeviceType>ebs</rootDeviceType>
         <rootDeviceName>/dev/xvda</rootDeviceName>
         <blockDeviceMapping>
            <item>
               <deviceName>/dev/xvda</deviceName>
               <ebs><snapshotId>snap-1</snapshotId><volumeSize>8</volumeSize></ebs>
            </item>
         </blockDeviceMapping>
         <virtualizationType>hvm</virtualizationType>
      </item>
      <item>
         <imageId>ami-0win</imageId>
         <imageState>available</imageState>
         <imageOwnerId>801119661308</imageOwnerId>
         <architecture>x86_64</architecture>
         <platform>windows</platform>
         <platformDetails>Windows</platformDetails>
         <name>Windows_Server-2022-English-Full-Base</name>
         <rootDeviceType>ebs</rootDeviceType>
         <rootDeviceName>/dev/sda1</rootDeviceName>
      </item>
   </imagesSet>
</DescribeImagesResponse>)");
  ASSERT_TRUE(response) << response.error().message;
  ASSERT_EQ(response->images.size(), 2u);
  const Image& linux_image = response->images[0];
  EXPECT_EQ(linux_image.image_id, "ami-1a2b3c4d");
  EXPECT_EQ(linux_image.platform, Platform::kLinux);
  EXPECT_EQ(linux_image.platform_details, "Linux/UNIX");
  EXPECT_EQ(linux_image.root_device_name, "/dev/xvda");
  EXPECT_EQ(linux_image.state, "available");
  EXPECT_EQ(linux_image.owner_id, "123456789012");
  EXPECT_EQ(linux_image.description, "Amazon Linux 2023");
  const Image& windows_image = response->images[1];
  EXPECT_EQ(windows_image.platform, Platform::kWindows);
  EXPECT_EQ(windows_image.root_device_name, "/dev/sda1");
}

constexpr const char* kErrorDocument = R"(<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InsufficientInstanceCapacity</Code><Message>We currently do not have sufficient t3.micro capacity in the Availability Zone you requested (us-east-1a).</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>)";

TEST(ParseErrorResponseTest, ReadsEc2ErrorDocument) {
  AwsError error = ParseErrorResponse(kErrorDocument, 500);
  EXPECT_EQ(error.kind, ErrorKind::kCapacity);
  EXPECT_EQ(error.code, "InsufficientInstanceCapacity");
  EXPECT_EQ(error.message.substr(0, 31), "We currently do not have suffic");
  EXPECT_EQ(error.request_id, "ea966190-f9aa-478e-9ede-example");
  EXPECT_EQ(error.http_status, 500);
}

TEST(ParseErrorResponseTest, ReadsQueryServiceErrorDocument) {
  AwsError error = ParseErrorResponse(
      "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
      "<Message>Rate exceeded</Message></Error><RequestId>abc</RequestId></ErrorResponse>",
      400);
  EXPECT_EQ(error.kind, ErrorKind::kThrottled);
  EXPECT_EQ(error.code, "Throttling");
  EXPECT_EQ(error.request_id, "abc");
}

TEST(ParseErrorResponseTest, FallsBackOnStatusForForeignBodies) {
  AwsError gateway = ParseErrorResponse("<html><body>Bad Gateway</body></html>", 502);
  EXPECT_EQ(gateway.code, "HttpError");
  EXPECT_EQ(gateway.kind, ErrorKind::kTransient);
  EXPECT_NE(gateway.message.find("502"), std::string::npos);
  EXPECT_EQ(ParseErrorResponse("", 403).kind, ErrorKind::kPermanent);
}

TEST(ParseResponseTest, ErrorDocumentInPlaceOfAnswerIsThatError) {
  auto response = ParseDescribeInstancesResponse(kErrorDocument);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "InsufficientInstanceCapacity");
}

TEST(ParseResponseTest, BrokenXmlIsTransient) {
  auto truncated = ParseDescribeRegionsResponse("<DescribeRegionsResponse><regionInfo><item>");
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, "MalformedResponse");
  EXPECT_EQ(truncated.error().kind, ErrorKind::kTransient);

  auto wrong_root = ParseDescribeRegionsResponse("<DescribeImagesResponse/>");
  ASSERT_FALSE(wrong_root);
  EXPECT_EQ(wrong_root.error().code, "MalformedResponse");
  EXPECT_FALSE(ParseRunInstancesResponse(""));
}

Instance SampleInstance(std::string id, bool spot) {
  Instance instance;
  instance.instance_id = std::move(id);
  instance.image_id = "ami-1";
  instance.state = {16, "running"};
  instance.instance_type = "t3.micro";
  instance.launch_time = "2024-01-02T03:04:05.000Z";
  instance.availability_zone = "eu-west-1a";
  instance.private_ip_address = "10.0.0.5";
  instance.public_ip_address = spot ? "" : "54.1.2.3";
  instance.subnet_id = "subnet-1";
  instance.spot = spot;
  instance.tags = {{"kraken-group", "a <b> & \"c\" 'd'"}, {"Name", "agent \xE2\x9C\x93"}};
  return instance;
}

TEST(Ec2XmlRoundTripTest, RunInstances) {
  RunInstancesResponse written;
  written.request_id = "req-1";
  written.reservation = {
      "r-1", "123456789012", {SampleInstance("i-1", true), SampleInstance("i-2", false)}};
  auto read = ParseRunInstancesResponse(WriteRunInstancesResponse(written));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->request_id, "req-1");
  EXPECT_EQ(read->reservation, written.reservation);
}

TEST(Ec2XmlRoundTripTest, DescribeInstances) {
  DescribeInstancesResponse written;
  written.request_id = "req-2";
  written.reservations = {{"r-1", "1", {SampleInstance("i-1", false)}},
                          {"r-2", "1", {SampleInstance("i-2", true)}}};
  written.next_token = "more";
  auto read = ParseDescribeInstancesResponse(WriteDescribeInstancesResponse(written));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->request_id, "req-2");
  EXPECT_EQ(read->reservations, written.reservations);
  EXPECT_EQ(read->next_token, "more");

  written.next_token.clear();
  std::string xml = WriteDescribeInstancesResponse(written);
  EXPECT_EQ(xml.find("nextToken"), std::string::npos);
}

TEST(Ec2XmlRoundTripTest, TerminateInstances) {
  TerminateInstancesResponse written;
  written.request_id = "req-3";
  written.instances = {{"i-1", {32, "shutting-down"}, {16, "running"}},
                       {"i-2", {48, "terminated"}, {48, "terminated"}}};
  auto read = ParseTerminateInstancesResponse(WriteTerminateInstancesResponse(written));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->request_id, "req-3");
  EXPECT_EQ(read->instances, written.instances);
}

TEST(Ec2XmlRoundTripTest, DescribeRegions) {
  DescribeRegionsResponse written;
  written.request_id = "req-4";
  written.regions = {{"eu-west-1", "ec2.eu-west-1.amazonaws.com", "opt-in-not-required"}};
  auto read = ParseDescribeRegionsResponse(WriteDescribeRegionsResponse(written));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->regions, written.regions);
}

TEST(Ec2XmlRoundTripTest, DescribeInstanceTypeOfferings) {
  DescribeInstanceTypeOfferingsResponse written;
  written.request_id = "req-5";
  written.offerings = {{"t3.micro", "region", "eu-west-1"}, {"c7g.large", "region", "eu-west-1"}};
  written.next_token = "t";
  auto read = ParseDescribeInstanceTypeOfferingsResponse(
      WriteDescribeInstanceTypeOfferingsResponse(written));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->offerings, written.offerings);
  EXPECT_EQ(read->next_token, "t");
}

TEST(Ec2XmlRoundTripTest, DescribeImages) {
  DescribeImagesResponse written;
  written.request_id = "req-6";
  Image linux_image{"ami-1",     "al2023",         "Amazon Linux",
                    "available", "137112412989",   "2023-11-02T10:00:00.000Z",
                    "arm64",     Platform::kLinux, "Linux/UNIX",
                    "ebs",       "/dev/xvda"};
  Image windows_image{"ami-2",  "win2022",          "",        "available", "801119661308", "",
                      "x86_64", Platform::kWindows, "Windows", "ebs",       "/dev/sda1"};
  written.images = {linux_image, windows_image};
  auto read = ParseDescribeImagesResponse(WriteDescribeImagesResponse(written));
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->images, written.images);
}

TEST(Ec2XmlRoundTripTest, Error) {
  AwsError written =
      MakeAwsError("InvalidAMIID.NotFound", "The image id '[ami-1]' does not exist", 400, "req-7");
  std::string xml = WriteErrorResponse(written);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response>", 0), 0u) << xml;
  AwsError read = ParseErrorResponse(xml, 400);
  EXPECT_EQ(read.code, written.code);
  EXPECT_EQ(read.message, written.message);
  EXPECT_EQ(read.request_id, "req-7");
  EXPECT_EQ(read.kind, ErrorKind::kPermanent);
}

TEST(Ec2XmlWriterTest, WritesEc2NamespaceAndDeclaration) {
  std::string xml = WriteDescribeRegionsResponse({"req", {}});
  EXPECT_EQ(
      xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<DescribeRegionsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">",
                0),
      0u)
      << xml;
}

}  // namespace
}  // namespace kraken::aws
