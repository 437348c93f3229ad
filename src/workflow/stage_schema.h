// The whole path from a stage's source to a checked stage: evaluate the source (Starlark,
// JSON or YAML), validate the dict against the workflow JSON schema (workflow_schema.json),
// apply Kraken CI's defaults and the semantic checks of ParseStage.
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "core/json.h"
#include "workflow/schema_error.h"
#include "workflow/schema_source.h"
#include "workflow/stage_def.h"

namespace kraken::workflow {

struct EvaluatedStage {
  Json schema;  // the validated dict, with defaults filled in
  StageDef def;
};

// Validates an evaluated dict. Defaults: parent "root", triggers {parent: true}, and empty
// jobs, configs and parameters.
SchemaResult<EvaluatedStage> ValidateStage(Json raw);

SchemaResult<EvaluatedStage> EvaluateStage(const std::string& code, const std::string& format,
                                           const Json& ctx, const SourceOptions& options = {});

}  // namespace kraken::workflow
