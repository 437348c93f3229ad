#include "results/junit.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <pugixml.hpp>
#include <utility>

namespace kraken::results {
namespace {

bool IsNamed(const pugi::xml_node& node, const char* name) {
  return std::strcmp(node.name(), name) == 0;
}

bool IsJunitElement(const pugi::xml_node& node) {
  return IsNamed(node, "testcase") || IsNamed(node, "testsuite") || IsNamed(node, "testsuites");
}

std::string_view Trim(std::string_view text) {
  const char* kSpace = " \t\r\n";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

// 1-based line and column (in UTF-8 characters) of a byte offset into text.
std::pair<int, int> LineAndColumn(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  int column = 1;
  for (size_t i = line_start; i < offset; ++i) {
    // Count lead bytes only, so a multi-byte character is one column.
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return {line, column};
}

JunitError ErrorAt(std::string_view xml, std::string_view file_name, size_t offset,
                   std::string reason) {
  auto [line, column] = LineAndColumn(xml, offset);
  return JunitError{std::string(file_name), line, column, std::move(reason)};
}

// time= is seconds as a decimal; some tools add thousands separators ("1,234.5").
double ParseSeconds(const char* value) {
  std::string digits;
  for (const char* c = value; *c != '\0'; ++c) {
    if (*c != ',' && *c != ' ') digits.push_back(*c);
  }
  double seconds = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
  if (error != std::errc() || end != digits.data() + digits.size() || !std::isfinite(seconds) ||
      seconds < 0) {
    return 0;
  }
  return seconds;
}

// All text and CDATA directly inside an element, in document order.
std::string TextOf(const pugi::xml_node& element) {
  std::string text;
  for (pugi::xml_node child : element.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    }
  }
  return std::string(Trim(text));
}

JunitCase ReadCase(const pugi::xml_node& testcase) {
  JunitCase result;
  result.classname = testcase.attribute("classname").value();
  const char* name = testcase.attribute("name").value();
  result.name = result.classname.empty() ? name : result.classname + "::" + name;
  result.time_seconds = ParseSeconds(testcase.attribute("time").value());

  pugi::xml_node error, failure, skipped;
  for (pugi::xml_node child = testcase.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    if (!error && IsNamed(child, "error")) error = child;
    if (!failure && IsNamed(child, "failure")) failure = child;
    if (!skipped && IsNamed(child, "skipped")) skipped = child;
  }
  pugi::xml_node deciding;
  if (error) {
    result.status = TestStatus::kError;
    deciding = error;
  } else if (failure) {
    result.status = TestStatus::kFailed;
    deciding = failure;
  } else if (skipped) {
    result.status = TestStatus::kDisabled;
    deciding = skipped;
  } else {
    std::string_view status = testcase.attribute("status").value();
    if (status == "disabled" || status == "notrun") result.status = TestStatus::kDisabled;
  }
  if (deciding) {
    result.message = deciding.attribute("message").value();
    result.type = deciding.attribute("type").value();
    result.details = TextOf(deciding);
  }
  return result;
}

}  // namespace

std::string JunitError::Message() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + reason;
}

tl::expected<std::vector<JunitCase>, JunitError> ParseJunit(std::string_view xml,
                                                            std::string_view file_name) {
  if (Trim(xml).empty()) {
    return tl::unexpected(
        ErrorAt(xml, file_name, xml.size(), "empty file, expected a JUnit XML report"));
  }
  pugi::xml_document doc;
  // parse_default decodes entities and character references but skips the DOCTYPE, so no
  // entity defined there is ever expanded.
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_auto);
  if (parsed.status == pugi::status_no_document_element) {
    // pugixml points past the end; the first character is what is wrong.
    return tl::unexpected(ErrorAt(xml, file_name, xml.find_first_not_of(" \t\r\n"),
                                  "not an XML document: no root element found"));
  }
  if (!parsed) {
    size_t offset = static_cast<size_t>(parsed.offset);
    // A report cut short (disk full, killed test runner) fails on its last character, where
    // pugixml's own description ("Start-end tags mismatch") would mislead.
    bool truncated = offset + 1 >= xml.size();
    return tl::unexpected(
        ErrorAt(xml, file_name, offset,
                truncated ? "malformed XML: the file ends inside an element (truncated report?)"
                          : std::string("malformed XML: ") + parsed.description()));
  }

  std::vector<JunitCase> cases;
  bool saw_junit_element = false;
  // Iterative pre-order walk: a pathologically deep document cannot exhaust the stack.
  pugi::xml_node node = doc.first_child();
  while (node) {
    if (node.type() == pugi::node_element && IsJunitElement(node)) {
      saw_junit_element = true;
      if (IsNamed(node, "testcase")) cases.push_back(ReadCase(node));
    }
    if (pugi::xml_node child = node.first_child()) {
      node = child;
      continue;
    }
    while (node && !node.next_sibling()) node = node.parent();
    if (node) node = node.next_sibling();
  }

  if (!saw_junit_element) {
    pugi::xml_node root = doc.document_element();
    // offset_debug() points at the element's name; report its '<'.
    ptrdiff_t offset = root.offset_debug();
    return tl::unexpected(
        ErrorAt(xml, file_name, offset > 0 ? static_cast<size_t>(offset) - 1 : 0,
                std::string("not a JUnit report: root element <") + root.name() +
                    "> holds no <testsuites>, <testsuite> or <testcase> element"));
  }
  return cases;
}

}  // namespace kraken::results
