// Stage schema routes: check a stage's code, the workflow schema document, the planner's
// schedule; and the reading of a stage's schema on create and update.
#include <fmt/format.h>

#include "api/json_io.h"
#include "api/routes.h"
#include "secrets/named_secrets.h"
#include "secrets/secret_context.h"
#include "workflow/context.h"
#include "workflow/json_schema.h"
#include "workflow/source_limits.h"
#include "workflow/stage_schema.h"

namespace kraken::api {

http::Response SchemaErrorResponse(const workflow::SchemaError& error) {
  return JsonResponse(400, Json{{"error", error.ToJson()}});
}

workflow::SchemaResult<Json> EvaluateStageBody(store::Store& store, const Json& body,
                                               Stage& stage) {
  auto prefix = [](workflow::SchemaError e) {
    if (e.line == 0 && e.field != "schema_format")
      e.field = e.field.empty() ? "schema" : "schema." + e.field;
    return tl::unexpected(std::move(e));
  };
  std::string code, format;
  if (auto it = body.find("schema"); it != body.end() && !body.contains("schema_code")) {
    if (!it->is_object()) return workflow::SchemaFail("schema", "must be a dict");
    // Indenting multiplies the size by up to the depth: measure the compact text first.
    if (size_t size = it->dump().size(); size > workflow::kMaxStageCodeBytes)
      return workflow::SchemaFail(
          "schema", fmt::format("is {} bytes of JSON, more than the limit of {}", size,
                                workflow::kMaxStageCodeBytes));
    code = it->dump(2);
    format = workflow::kFormatJson;
  } else if (auto c = body.find("schema_code"); c != body.end()) {
    if (!c->is_string()) return workflow::SchemaFail("schema_code", "must be a string");
    code = c->get<std::string>();
    std::string requested;
    if (auto f = body.find("schema_format"); f != body.end() && !f->is_null()) {
      if (!f->is_string()) return workflow::SchemaFail("schema_format", "must be a string");
      requested = f->get<std::string>();
    }
    auto resolved = workflow::ResolveFormat(code, requested);
    if (!resolved) return tl::unexpected(resolved.error());
    format = *resolved;
  } else {
    return workflow::SchemaFail("schema_code", "is required");
  }
  // At save time the code runs with a branch-level ctx: flow and run are None.
  auto branch = store.GetBranch(stage.branch_id);
  if (!branch) return workflow::SchemaFail("branch_id", branch.error().message);
  auto project = store.GetProject(branch->project_id);
  if (!project) return workflow::SchemaFail("project_id", project.error().message);
  workflow::ContextInput in;
  in.project = &*project;
  in.branch = &*branch;
  in.stage = &stage;
  // Stage code sees secrets as `#{secrets.NAME}` placeholders, expanded only in a step's fields.
  auto secret_names = secrets::ListSecretInfo(store.db(), project->id);
  if (!secret_names) return workflow::SchemaFail("secrets", secret_names.error().message);
  in.secrets = secrets::PlaceholderSecrets(*secret_names);
  workflow::SourceOptions options;
  options.filename = (stage.name.empty() ? "stage" : stage.name) + ".star";
  options.lenient_ctx = true;
  auto evaluated = workflow::EvaluateStage(code, format, workflow::BuildContext(in), options);
  if (!evaluated) return prefix(evaluated.error());
  // As in Kraken CI, a secret a step names (`access-token`, `ssh-key`) must exist and be of
  // the kind the field needs; names built with #{...} are checked when the step runs.
  const Json& jobs = evaluated->schema.value("jobs", Json::array());
  for (size_t j = 0; j < jobs.size(); ++j) {
    const Json& steps = jobs[j].value("steps", Json::array());
    for (size_t k = 0; k < steps.size(); ++k) {
      if (!secrets::NamesSecrets(steps[k]) || steps[k].dump().find("#{") != std::string::npos)
        continue;
      auto named = secrets::AttachNamedSecrets(steps[k], in.secrets);
      if (!named)
        return prefix(
            workflow::SchemaFail(fmt::format("jobs[{}].steps[{}].{}", j, k, named.error().field),
                                 named.error().message)
                .value());
    }
  }
  stage.schema_code = code;
  stage.schema_format = format;
  stage.schema = evaluated->schema;
  return evaluated->schema;
}

void RegisterSchemaRoutes(http::Router& r, ApiContext ctx) {
  auto& store = ctx.store;
  r.Get("/api/v1/workflow-schema",
        [](http::Request&) { return http::Response::Json(200, workflow::WorkflowSchemaText()); });
  r.Post("/api/v1/stages/{id}/check-schema",
         Authed(ctx, [&store](http::Request& req, const auth::Principal&) {
           auto id = IdParam(req, "id");
           if (!id) return ErrorResponse(id.error());
           auto body = ParseObject(req);
           if (!body) return ErrorResponse(body.error());
           auto stage = store.GetStage(*id);
           if (!stage) return ErrorResponse(stage.error());
           auto schema = EvaluateStageBody(store, *body, *stage);
           if (!schema) return SchemaErrorResponse(schema.error());
           return JsonResponse(200, Json{{"schema", *schema}});
         }));
  r.Get("/api/v1/stages/{id}/schedule",
        Authed(ctx, [&store, ctx](http::Request& req, const auth::Principal&) {
          auto id = IdParam(req, "id");
          if (!id) return ErrorResponse(id.error());
          if (!ctx.planner) {
            auto stage = store.GetStage(*id);
            if (!stage) return ErrorResponse(stage.error());
            return JsonResponse(
                200, Json{{"stage_id", *id}, {"time_zone", "UTC"}, {"triggers", Json::array()}});
          }
          auto schedule = ctx.planner->Schedule(*id);
          return Reply(schedule, [](const Json& j) { return j; });
        }));
}

}  // namespace kraken::api
