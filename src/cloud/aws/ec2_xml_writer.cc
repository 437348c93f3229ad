#include "cloud/aws/ec2_xml_writer.h"

#include <pugixml.hpp>
#include <sstream>

namespace kraken::aws {
namespace {

constexpr const char* kNamespace = "http://ec2.amazonaws.com/doc/2016-11-15/";

// A document with EC2's declaration and a root element in the EC2 namespace.
pugi::xml_node StartDocument(pugi::xml_document& document, const char* root_name,
                             bool with_namespace = true) {
  pugi::xml_node declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = document.append_child(root_name);
  if (with_namespace) root.append_attribute("xmlns") = kNamespace;
  return root;
}

std::string Serialize(const pugi::xml_document& document) {
  std::ostringstream out;
  document.save(out, "  ", pugi::format_indent | pugi::format_no_declaration, pugi::encoding_utf8);
  return out.str();
}

void AddText(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}

// EC2 leaves out optional elements it has no value for.
void AddTextIfSet(pugi::xml_node parent, const char* name, const std::string& value) {
  if (!value.empty()) AddText(parent, name, value);
}

void AddState(pugi::xml_node parent, const char* name, const InstanceState& state) {
  pugi::xml_node node = parent.append_child(name);
  node.append_child("code").text().set(state.code);
  AddText(node, "name", state.name);
}

void AddInstance(pugi::xml_node set, const Instance& instance) {
  pugi::xml_node item = set.append_child("item");
  AddText(item, "instanceId", instance.instance_id);
  AddText(item, "imageId", instance.image_id);
  AddState(item, "instanceState", instance.state);
  AddText(item, "instanceType", instance.instance_type);
  AddText(item, "launchTime", instance.launch_time);
  AddText(item.append_child("placement"), "availabilityZone", instance.availability_zone);
  AddTextIfSet(item, "subnetId", instance.subnet_id);
  AddTextIfSet(item, "privateIpAddress", instance.private_ip_address);
  AddTextIfSet(item, "ipAddress", instance.public_ip_address);
  if (instance.spot) AddText(item, "instanceLifecycle", "spot");
  if (!instance.state_reason_code.empty()) {
    pugi::xml_node reason = item.append_child("stateReason");
    AddText(reason, "code", instance.state_reason_code);
    AddText(reason, "message", instance.state_reason_message);
  }
  if (!instance.tags.empty()) {
    pugi::xml_node tag_set = item.append_child("tagSet");
    for (const Tag& tag : instance.tags) {
      pugi::xml_node tag_item = tag_set.append_child("item");
      AddText(tag_item, "key", tag.key);
      AddText(tag_item, "value", tag.value);
    }
  }
}

void AddReservationBody(pugi::xml_node node, const Reservation& reservation) {
  AddText(node, "reservationId", reservation.reservation_id);
  AddText(node, "ownerId", reservation.owner_id);
  node.append_child("groupSet");
  pugi::xml_node instances = node.append_child("instancesSet");
  for (const Instance& instance : reservation.instances) AddInstance(instances, instance);
}

}  // namespace

std::string WriteRunInstancesResponse(const RunInstancesResponse& response) {
  pugi::xml_document document;
  pugi::xml_node root = StartDocument(document, "RunInstancesResponse");
  AddText(root, "requestId", response.request_id);
  AddReservationBody(root, response.reservation);
  return Serialize(document);
}

std::string WriteDescribeInstancesResponse(const DescribeInstancesResponse& response) {
  pugi::xml_document document;
  pugi::xml_node root = StartDocument(document, "DescribeInstancesResponse");
  AddText(root, "requestId", response.request_id);
  pugi::xml_node set = root.append_child("reservationSet");
  for (const Reservation& reservation : response.reservations) {
    AddReservationBody(set.append_child("item"), reservation);
  }
  AddTextIfSet(root, "nextToken", response.next_token);
  return Serialize(document);
}

std::string WriteTerminateInstancesResponse(const TerminateInstancesResponse& response) {
  pugi::xml_document document;
  pugi::xml_node root = StartDocument(document, "TerminateInstancesResponse");
  AddText(root, "requestId", response.request_id);
  pugi::xml_node set = root.append_child("instancesSet");
  for (const InstanceStateChange& change : response.instances) {
    pugi::xml_node item = set.append_child("item");
    AddText(item, "instanceId", change.instance_id);
    AddState(item, "currentState", change.current_state);
    AddState(item, "previousState", change.previous_state);
  }
  return Serialize(document);
}

std::string WriteDescribeRegionsResponse(const DescribeRegionsResponse& response) {
  pugi::xml_document document;
  pugi::xml_node root = StartDocument(document, "DescribeRegionsResponse");
  AddText(root, "requestId", response.request_id);
  pugi::xml_node set = root.append_child("regionInfo");
  for (const Region& region : response.regions) {
    pugi::xml_node item = set.append_child("item");
    AddText(item, "regionName", region.name);
    AddText(item, "regionEndpoint", region.endpoint);
    AddTextIfSet(item, "optInStatus", region.opt_in_status);
  }
  return Serialize(document);
}

std::string WriteDescribeInstanceTypeOfferingsResponse(
    const DescribeInstanceTypeOfferingsResponse& response) {
  pugi::xml_document document;
  pugi::xml_node root = StartDocument(document, "DescribeInstanceTypeOfferingsResponse");
  AddText(root, "requestId", response.request_id);
  pugi::xml_node set = root.append_child("instanceTypeOfferingSet");
  for (const InstanceTypeOffering& offering : response.offerings) {
    pugi::xml_node item = set.append_child("item");
    AddText(item, "instanceType", offering.instance_type);
    AddText(item, "locationType", offering.location_type);
    AddText(item, "location", offering.location);
  }
  AddTextIfSet(root, "nextToken", response.next_token);
  return Serialize(document);
}

std::string WriteDescribeImagesResponse(const DescribeImagesResponse& response) {
  pugi::xml_document document;
  pugi::xml_node root = StartDocument(document, "DescribeImagesResponse");
  AddText(root, "requestId", response.request_id);
  pugi::xml_node set = root.append_child("imagesSet");
  for (const Image& image : response.images) {
    pugi::xml_node item = set.append_child("item");
    AddText(item, "imageId", image.image_id);
    AddText(item, "imageState", image.state);
    AddText(item, "imageOwnerId", image.owner_id);
    AddTextIfSet(item, "creationDate", image.creation_date);
    AddText(item, "architecture", image.architecture);
    if (image.platform == Platform::kWindows) AddText(item, "platform", "windows");
    AddTextIfSet(item, "platformDetails", image.platform_details);
    AddText(item, "name", image.name);
    AddTextIfSet(item, "description", image.description);
    AddText(item, "rootDeviceType", image.root_device_type);
    AddTextIfSet(item, "rootDeviceName", image.root_device_name);
  }
  return Serialize(document);
}

std::string WriteErrorResponse(const AwsError& error) {
  pugi::xml_document document;
  // EC2's error document has no namespace.
  pugi::xml_node root = StartDocument(document, "Response", /*with_namespace=*/false);
  pugi::xml_node node = root.append_child("Errors").append_child("Error");
  AddText(node, "Code", error.code);
  AddText(node, "Message", error.message);
  AddText(root, "RequestID", error.request_id);
  return Serialize(document);
}

}  // namespace kraken::aws
