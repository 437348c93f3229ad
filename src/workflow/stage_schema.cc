#include "workflow/stage_schema.h"

#include "workflow/json_schema.h"

namespace kraken::workflow {

SchemaResult<EvaluatedStage> ValidateStage(Json raw) {
  if (!raw.is_object()) return SchemaFail("", "a stage schema must be a dict");
  if (auto error = WorkflowSchemaValidator().Validate(raw)) return tl::unexpected(*error);
  if (!raw.contains("parent")) raw["parent"] = "root";
  if (!raw.contains("triggers")) raw["triggers"] = Json{{"parent", true}};
  for (const char* key : {"parameters", "configs", "jobs"})
    if (!raw.contains(key)) raw[key] = Json::array();
  auto def = ParseStage(raw);
  if (!def) return SchemaFail(def.error().field, def.error().message);
  return EvaluatedStage{std::move(raw), std::move(*def)};
}

SchemaResult<EvaluatedStage> EvaluateStage(const std::string& code, const std::string& format,
                                           const Json& ctx, const SourceOptions& options) {
  auto raw = EvaluateSource(code, format, ctx, options);
  if (!raw) return tl::unexpected(raw.error());
  return ValidateStage(std::move(*raw));
}

}  // namespace kraken::workflow
