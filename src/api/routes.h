// Internal: the route groups that RegisterRestApi puts together.
#pragma once

#include "api/api.h"
#include "workflow/schema_error.h"

namespace kraken::api {

void RegisterExecRoutes(http::Router& router, ApiContext ctx);
void RegisterAgentsRoutes(http::Router& router, ApiContext ctx);
void RegisterSchemaRoutes(http::Router& router, ApiContext ctx);
void RegisterSecretRoutes(http::Router& router, ApiContext ctx);

// A stage schema error as a 400 with field, message and, for source errors, line and column.
http::Response SchemaErrorResponse(const workflow::SchemaError& error);
// Evaluates and validates the `schema` dict or `schema_code` (+ `schema_format`) of a request
// body with the save-time ctx of `stage`'s branch, and stores code, format and the evaluated
// dict into `stage`.
workflow::SchemaResult<Json> EvaluateStageBody(store::Store& store, const Json& body, Stage& stage);
void RegisterSettingsRoutes(http::Router& router, ApiContext ctx);

}  // namespace kraken::api
