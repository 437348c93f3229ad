#include "cloud/aws/ec2_xml_parser.h"

#include <pugixml.hpp>
#include <string>

namespace kraken::aws {
namespace {

std::string Text(const pugi::xml_node& node, const char* name) {
  return node.child(name).text().get();
}

AwsError Malformed(std::string message) {
  AwsError error;
  error.kind = ErrorKind::kTransient;
  error.code = "MalformedResponse";
  error.message = std::move(message);
  return error;
}

// Loads `xml` and returns its root element if it is `root_name`. An EC2 error document
// in its place becomes that error.
Result<pugi::xml_node> LoadRoot(pugi::xml_document& document, std::string_view xml,
                                std::string_view root_name) {
  pugi::xml_parse_result parsed = document.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return Fail(Malformed("EC2 sent invalid XML for " + std::string(root_name) + ": " +
                          parsed.description()));
  }
  pugi::xml_node root = document.document_element();
  std::string_view name = root.name();
  if (name == root_name) return root;
  if (name == "Response" || name == "ErrorResponse") return Fail(ParseErrorResponse(xml, 0));
  return Fail(Malformed("expected <" + std::string(root_name) + "> from EC2, got <" +
                        std::string(name) + ">"));
}

InstanceState ReadState(const pugi::xml_node& node) {
  return {node.child("code").text().as_int(), Text(node, "name")};
}

std::vector<Tag> ReadTags(const pugi::xml_node& tag_set) {
  std::vector<Tag> tags;
  for (pugi::xml_node item : tag_set.children("item")) {
    tags.push_back({Text(item, "key"), Text(item, "value")});
  }
  return tags;
}

Instance ReadInstance(const pugi::xml_node& item) {
  Instance instance;
  instance.instance_id = Text(item, "instanceId");
  instance.image_id = Text(item, "imageId");
  instance.state = ReadState(item.child("instanceState"));
  instance.instance_type = Text(item, "instanceType");
  instance.launch_time = Text(item, "launchTime");
  instance.availability_zone = Text(item.child("placement"), "availabilityZone");
  instance.private_ip_address = Text(item, "privateIpAddress");
  instance.public_ip_address = Text(item, "ipAddress");
  instance.subnet_id = Text(item, "subnetId");
  instance.spot = Text(item, "instanceLifecycle") == "spot";
  instance.state_reason_code = Text(item.child("stateReason"), "code");
  instance.state_reason_message = Text(item.child("stateReason"), "message");
  instance.tags = ReadTags(item.child("tagSet"));
  return instance;
}

Reservation ReadReservation(const pugi::xml_node& node) {
  Reservation reservation;
  reservation.reservation_id = Text(node, "reservationId");
  reservation.owner_id = Text(node, "ownerId");
  for (pugi::xml_node item : node.child("instancesSet").children("item")) {
    reservation.instances.push_back(ReadInstance(item));
  }
  return reservation;
}

}  // namespace

Result<RunInstancesResponse> ParseRunInstancesResponse(std::string_view xml) {
  pugi::xml_document document;
  Result<pugi::xml_node> loaded = LoadRoot(document, xml, "RunInstancesResponse");
  if (!loaded) return Fail(loaded.error());
  pugi::xml_node root = *loaded;
  RunInstancesResponse response;
  response.request_id = Text(root, "requestId");
  response.reservation = ReadReservation(root);
  return response;
}

Result<DescribeInstancesResponse> ParseDescribeInstancesResponse(std::string_view xml) {
  pugi::xml_document document;
  Result<pugi::xml_node> loaded = LoadRoot(document, xml, "DescribeInstancesResponse");
  if (!loaded) return Fail(loaded.error());
  pugi::xml_node root = *loaded;
  DescribeInstancesResponse response;
  response.request_id = Text(root, "requestId");
  for (pugi::xml_node item : root.child("reservationSet").children("item")) {
    response.reservations.push_back(ReadReservation(item));
  }
  response.next_token = Text(root, "nextToken");
  return response;
}

Result<TerminateInstancesResponse> ParseTerminateInstancesResponse(std::string_view xml) {
  pugi::xml_document document;
  Result<pugi::xml_node> loaded = LoadRoot(document, xml, "TerminateInstancesResponse");
  if (!loaded) return Fail(loaded.error());
  pugi::xml_node root = *loaded;
  TerminateInstancesResponse response;
  response.request_id = Text(root, "requestId");
  for (pugi::xml_node item : root.child("instancesSet").children("item")) {
    response.instances.push_back({Text(item, "instanceId"), ReadState(item.child("currentState")),
                                  ReadState(item.child("previousState"))});
  }
  return response;
}

Result<DescribeRegionsResponse> ParseDescribeRegionsResponse(std::string_view xml) {
  pugi::xml_document document;
  Result<pugi::xml_node> loaded = LoadRoot(document, xml, "DescribeRegionsResponse");
  if (!loaded) return Fail(loaded.error());
  pugi::xml_node root = *loaded;
  DescribeRegionsResponse response;
  response.request_id = Text(root, "requestId");
  for (pugi::xml_node item : root.child("regionInfo").children("item")) {
    response.regions.push_back(
        {Text(item, "regionName"), Text(item, "regionEndpoint"), Text(item, "optInStatus")});
  }
  return response;
}

Result<DescribeInstanceTypeOfferingsResponse> ParseDescribeInstanceTypeOfferingsResponse(
    std::string_view xml) {
  pugi::xml_document document;
  Result<pugi::xml_node> loaded = LoadRoot(document, xml, "DescribeInstanceTypeOfferingsResponse");
  if (!loaded) return Fail(loaded.error());
  pugi::xml_node root = *loaded;
  DescribeInstanceTypeOfferingsResponse response;
  response.request_id = Text(root, "requestId");
  for (pugi::xml_node item : root.child("instanceTypeOfferingSet").children("item")) {
    response.offerings.push_back(
        {Text(item, "instanceType"), Text(item, "locationType"), Text(item, "location")});
  }
  response.next_token = Text(root, "nextToken");
  return response;
}

Result<DescribeImagesResponse> ParseDescribeImagesResponse(std::string_view xml) {
  pugi::xml_document document;
  Result<pugi::xml_node> loaded = LoadRoot(document, xml, "DescribeImagesResponse");
  if (!loaded) return Fail(loaded.error());
  pugi::xml_node root = *loaded;
  DescribeImagesResponse response;
  response.request_id = Text(root, "requestId");
  for (pugi::xml_node item : root.child("imagesSet").children("item")) {
    Image image;
    image.image_id = Text(item, "imageId");
    image.name = Text(item, "name");
    image.description = Text(item, "description");
    image.state = Text(item, "imageState");
    image.owner_id = Text(item, "imageOwnerId");
    image.creation_date = Text(item, "creationDate");
    image.architecture = Text(item, "architecture");
    image.platform = Text(item, "platform") == "windows" ? Platform::kWindows : Platform::kLinux;
    image.platform_details = Text(item, "platformDetails");
    image.root_device_type = Text(item, "rootDeviceType");
    image.root_device_name = Text(item, "rootDeviceName");
    response.images.push_back(std::move(image));
  }
  return response;
}

AwsError ParseErrorResponse(std::string_view body, int http_status) {
  pugi::xml_document document;
  pugi::xml_node error;
  std::string request_id;
  if (document.load_buffer(body.data(), body.size())) {
    pugi::xml_node root = document.document_element();
    if (std::string_view(root.name()) == "Response") {
      error = root.child("Errors").child("Error");
      request_id = Text(root, "RequestID");
    } else if (std::string_view(root.name()) == "ErrorResponse") {
      error = root.child("Error");
      request_id = Text(root, "RequestId");
    }
  }
  if (error && !Text(error, "Code").empty()) {
    return MakeAwsError(Text(error, "Code"), Text(error, "Message"), http_status, request_id);
  }
  std::string excerpt(body.substr(0, 200));
  return MakeAwsError("HttpError",
                      "EC2 answered HTTP " + std::to_string(http_status) +
                          (excerpt.empty() ? std::string() : ": " + excerpt),
                      http_status);
}

}  // namespace kraken::aws
