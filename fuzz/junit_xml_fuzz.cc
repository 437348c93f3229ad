// A JUnit XML report as uploaded by the junit_collect tool.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "results/junit.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto cases = kraken::results::ParseJunit(xml, "report.xml");
  if (!cases) (void)cases.error().Message();
  return 0;
}
