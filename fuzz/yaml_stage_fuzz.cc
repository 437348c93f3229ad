// Stage evaluation from YAML source, then the schema validation and defaults of the stage.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pending.h"
#include "workflow/stage_schema.h"

using namespace kraken;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string code(reinterpret_cast<const char*>(data), size);
  workflow::SourceOptions options;
  options.filename = "stage.yaml";
  options.cache_modules = false;
  auto stage = workflow::EvaluateStage(code, workflow::kFormatYaml, Json::object(), options);
  if (stage) {
    // fuzz/pending/yaml_stage/invalid-utf8-in-stage-dump: a string of the stage that is not
    // valid UTF-8 makes the strict dump throw.
    if (fuzz::SkipPending())
      (void)stage->schema.dump(-1, ' ', false, Json::error_handler_t::replace);
    else
      (void)stage->schema.dump();
  }
  return 0;
}
