// A JSON request body as the REST API reads it: ParseObject (a 400 unless it is an object),
// the typed field readers, the error and success responses built from it, and the stage
// schema validation a stage sent as JSON goes through.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/json_io.h"
#include "workflow/stage_schema.h"

using namespace kraken;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::Request request;
  request.method = "POST";
  request.body.assign(reinterpret_cast<const char*>(data), size);
  auto body = api::ParseObject(request);
  if (!body) {
    (void)api::ErrorResponse(body.error());
    return 0;
  }
  for (const char* field : {"name", "code", "format", "description"}) {
    auto s = api::RequiredString(*body, field);
    if (!s) (void)api::ErrorResponse(s.error());
  }
  (void)api::OptionalBool(*body, "enabled", false);
  (void)api::JsonResponse(200, *body);
  auto stage = workflow::ValidateStage(*body);
  if (!stage) (void)stage.error().ToJson().dump();
  return 0;
}
