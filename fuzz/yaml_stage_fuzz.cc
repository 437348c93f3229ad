// Stage evaluation from YAML source, then the schema validation and defaults of the stage.
#include <cstddef>
#include <cstdint>
#include <string>

#include "workflow/stage_schema.h"

using namespace kraken;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string code(reinterpret_cast<const char*>(data), size);
  workflow::SourceOptions options;
  options.filename = "stage.yaml";
  options.cache_modules = false;
  auto stage = workflow::EvaluateStage(code, workflow::kFormatYaml, Json::object(), options);
  // A YAML stage that is not valid UTF-8 is refused, so the strict dump never throws.
  if (stage) (void)stage->schema.dump();
  return 0;
}
