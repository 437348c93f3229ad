// Stage evaluation from Starlark source, as the server runs it on save and at run time: the
// parser, resolver and evaluator under the sandbox limits, then the schema validation of the
// returned dict. Any input must end in a value or an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "workflow/stage_schema.h"

using namespace kraken;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Json kCtx = Json::parse(R"({"branch": "main", "project": "demo", "is_ci": true,
      "flow": {"kind": "ci", "id": 1, "label": "#1", "data": {}}, "run": {"id": 2, "label": "#2"},
      "args": {"a": 1}, "parent": null})");
  const std::string code(reinterpret_cast<const char*>(data), size);
  workflow::SourceOptions options;
  options.cache_modules = false;
  // Tighter than the server's bounds, so that a slow input shows as a failed evaluation and
  // not as a libFuzzer timeout; the limits themselves are what is under test.
  options.starlark.time_limit = std::chrono::milliseconds(500);
  options.starlark.memory_limit = 16 << 20;
  options.lenient_ctx = size % 2 == 0;
  auto stage = workflow::EvaluateStage(code, workflow::kFormatStarlark, kCtx, options);
  // Strings leave the interpreter as valid UTF-8, so the strict dump never throws.
  if (stage) (void)stage->schema.dump();
  return 0;
}
