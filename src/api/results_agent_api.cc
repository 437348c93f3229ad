// Agent protocol calls of the tools: result batches, user data, artifact and cache
// transfers (see docs/agent-protocol.md, "Results, artifacts and data").
#include <fmt/format.h>

#include "api/blob_download.h"
#include "api/json_io.h"
#include "api/results_api.h"
#include "core/protocol_limits.h"
#include "resultdb/user_data.h"
#include "workflow/interpolate.h"

namespace kraken::api {
namespace {

// The job an agent call is about, checked to be the agent's and still running.
struct AgentJob {
  Job job;
  Run run;
  Flow flow;
};

Result<AgentJob> JobOfAgent(ApiContext& ctx, const http::Request& req) {
  std::string token = BearerToken(req);
  if (token.empty())
    return Fail(ErrorCode::kUnauthorized, "agent token required (Authorization: Bearer ...)");
  KR_ASSIGN(auto agent, ctx.engine.AuthenticateAgent(token));
  KR_TRY(ctx.engine.CheckTrusted(agent.id));
  KR_ASSIGN(auto id, IdParam(req, "id"));
  KR_ASSIGN(auto job, ctx.store.GetJob(id));
  if (job.agent_id != agent.id || job.state == JobState::kCompleted)
    return Conflict(fmt::format("job {} is not running on this agent", id));
  KR_ASSIGN(auto run, ctx.store.GetRun(job.run_id));
  KR_ASSIGN(auto flow, ctx.store.GetFlow(run.flow_id));
  return AgentJob{job, run, flow};
}

// The batch's "results", each checked.
Result<std::vector<results::ResultRecord>> ParseResultRecords(const Json& body) {
  std::vector<results::ResultRecord> records;
  auto it = body.find("results");
  if (it == body.end()) return records;
  if (!it->is_array()) return Invalid("results", "must be a list");
  records.reserve(it->size());
  for (size_t i = 0; i < it->size(); ++i) {
    auto r = results::ResultRecordFromJson((*it)[i]);
    if (!r) return Invalid(fmt::format("results[{}]", i), r.error());
    records.push_back(std::move(*r));
  }
  return records;
}

// The batch's "issues", each checked, and the fields of each beyond an issue's (`extras`).
Status ParseIssues(const Json& body, std::vector<results::Issue>& issues,
                   std::vector<Json>& extras) {
  auto it = body.find("issues");
  if (it == body.end()) return {};
  if (!it->is_array()) return Invalid("issues", "must be a list");
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& j = (*it)[i];
    std::string field = fmt::format("issues[{}]", i);
    if (!j.is_object() || !j.contains("path") || !j["path"].is_string() || !j.contains("line") ||
        !j["line"].is_number_integer() || !j.contains("message") || !j["message"].is_string())
      return Invalid(field, "an issue needs path, line and message");
    results::Issue is;
    is.path = j["path"];
    is.line = j["line"];
    is.column = j.value("column", 0);
    is.symbol = j.value("symbol", "");
    is.message = j["message"];
    auto type = results::IssueTypeFromName(j.value("type", "warning"));
    if (!type)
      return Invalid(field + ".type", "type must be error, warning, convention or refactor");
    is.type = *type;
    Json extra = j;
    for (const char* k : {"path", "line", "column", "symbol", "message", "type"}) extra.erase(k);
    issues.push_back(std::move(is));
    extras.push_back(std::move(extra));
  }
  return {};
}

http::Response StoreResults(ApiContext& ctx, http::Request& req) {
  // Refused before anything is parsed or looked up.
  if (req.body.size() > kMaxResultBatchBytes)
    return TooLarge(
        fmt::format("a results batch may be at most {} bytes; this one is {}: send smaller batches",
                    kMaxResultBatchBytes, req.body.size()),
        "body");
  auto aj = JobOfAgent(ctx, req);
  if (!aj) return ErrorResponse(aj.error());
  auto body = ParseObject(req);
  if (!body) return ErrorResponse(body.error());
  // Secret values are masked in every string of the batch (names, messages, output), even
  // where the agent's tool let one through.
  auto secret_values = ctx.engine.JobSecretValues(aj->job);
  if (!secret_values) return ErrorResponse(secret_values.error());
  if (!secret_values->empty()) *body = workflow::MaskSecrets(*body, *secret_values);
  auto step = body->find("step");
  auto seq = body->find("seq");
  if (step == body->end() || !step->is_number_integer())
    return ErrorResponse(Error{ErrorCode::kInvalid, "must be a step index", "step"});
  if (seq == body->end() || !seq->is_number_integer())
    return ErrorResponse(Error{ErrorCode::kInvalid, "must be a sequence number", "seq"});
  if (auto st = ctx.engine.CheckStepIndex(aj->job.id, step->get<int64_t>()); !st)
    return ErrorResponse(st.error());
  size_t items = 0;
  for (const char* list : {"results", "issues"})
    if (auto it = body->find(list); it != body->end() && it->is_array()) items += it->size();
  if (items > kMaxResultBatchItems)
    return TooLarge(
        fmt::format("a results batch may hold at most {} results and issues; this one holds {}: "
                    "send smaller batches",
                    kMaxResultBatchItems, items),
        "results");
  auto records = ParseResultRecords(*body);
  if (!records) return ErrorResponse(records.error());
  std::vector<results::Issue> issues;
  std::vector<Json> extras;
  if (auto st = ParseIssues(*body, issues, extras); !st) return ErrorResponse(st.error());
  resultdb::JobScope scope{aj->job.id,
                           aj->run.id,
                           aj->flow.id,
                           aj->flow.branch_id,
                           aj->run.stage_id,
                           aj->job.group_id,
                           std::string(Name(aj->flow.kind)),
                           aj->job.system,
                           aj->job.name};
  store::Transaction tx(ctx.store.db());
  resultdb::ResultStore rs(ctx.store.db());
  auto stored = rs.StoreBatch(scope, step->get<int64_t>(), seq->get<int64_t>(), *records, issues,
                              extras, ctx.clock.Now());
  if (!stored) return ErrorResponse(stored.error());
  if (auto st = tx.Commit(); !st) return ErrorResponse(st.error());
  ctx.engine.Touch(aj->job.agent_id.value_or(0));
  return JsonResponse(200, Json{{"ack", seq->get<int64_t>()}, {"stored", *stored}});
}

Result<std::vector<artifacts::NewFile>> ReadFiles(const Json& body, int64_t max_bytes) {
  auto it = body.find("files");
  if (it == body.end() || !it->is_array())
    return Invalid("files", "must be a list of {path, size}");
  std::vector<artifacts::NewFile> out;
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& f = (*it)[i];
    if (!f.is_object() || !f.contains("path") || !f["path"].is_string() ||
        f["path"].get<std::string>().empty() || !f.contains("size") ||
        !f["size"].is_number_integer() || f["size"].get<int64_t>() < 0)
      return Invalid(fmt::format("files[{}]", i), "needs a path and a size in bytes");
    if (f["size"].get<int64_t>() > max_bytes)
      return Invalid(fmt::format("files[{}].size", i),
                     fmt::format("a file may be at most {} bytes; this one declares {}", max_bytes,
                                 f["size"].get<int64_t>()));
    std::string path = f["path"];
    if (path.starts_with("/") || path.find("..") != std::string::npos)
      return Invalid(fmt::format("files[{}].path", i), "must be relative, without '..'");
    out.push_back({path, f["size"].get<int64_t>()});
  }
  return out;
}

Json Grants(const std::vector<std::pair<artifacts::ArtifactRecord, std::string>>& grants) {
  Json files = Json::array();
  for (const auto& [a, token] : grants)
    files.push_back(Json{{"path", a.path}, {"id", a.id}, {"url", "/agent/v1/blobs/" + token}});
  return Json{{"files", files}};
}

http::Response BeginUpload(ResultsContext& rc, http::Request& req, const std::string& kind) {
  auto aj = JobOfAgent(rc.api, req);
  if (!aj) return ErrorResponse(aj.error());
  auto body = ParseObject(req);
  if (!body) return ErrorResponse(body.error());
  auto files = ReadFiles(*body, rc.api.engine.options().max_artifact_bytes);
  if (!files) return ErrorResponse(files.error());
  artifacts::ArtifactRecord common;
  common.kind = kind;
  common.branch_id = aj->flow.branch_id;
  common.flow_id = aj->flow.id;
  common.run_id = aj->run.id;
  common.job_id = aj->job.id;
  common.flow_kind = std::string(Name(aj->flow.kind));
  std::string report_entry;
  if (kind == "cache") {
    auto key = RequiredString(*body, "key");
    if (!key) return ErrorResponse(key.error());
    common.cache_key = *key;
    common.scope = aj->job.name;  // caches are shared by the runs of one job on a branch
  } else {
    auto pub = OptionalBool(*body, "public", false);
    auto entry = OptionalString(*body, "report_entry", "");
    if (!pub) return ErrorResponse(pub.error());
    if (!entry) return ErrorResponse(entry.error());
    common.is_public = *pub || !entry->empty();
    report_entry = *entry;
  }
  store::Transaction tx(rc.api.store.db());
  artifacts::ArtifactStore as(rc.api.store.db(), *rc.blobs);
  auto grants = as.BeginUploads(common, *files, report_entry, rc.api.clock.Now());
  if (!grants) return ErrorResponse(grants.error());
  if (auto st = tx.Commit(); !st) return ErrorResponse(st.error());
  return JsonResponse(200, Grants(*grants));
}

Result<Json> DownloadGrants(artifacts::ArtifactStore& as,
                            const std::vector<artifacts::ArtifactRecord>& files, Millis now) {
  Json out = Json::array();
  for (const auto& a : files) {
    KR_ASSIGN(auto token, as.GrantDownload(a.id, now));
    out.push_back(Json{
        {"path", a.path}, {"id", a.id}, {"run_id", a.run_id}, {"url", "/agent/v1/blobs/" + token}});
  }
  return out;
}

Result<std::vector<std::string>> StringList(const Json& body, const std::string& field) {
  auto it = body.find(field);
  std::vector<std::string> out;
  if (it == body.end() || !it->is_array() || it->empty())
    return Invalid(field, "must be a non-empty list of strings");
  for (const auto& v : *it) {
    if (!v.is_string()) return Invalid(field, "must be a non-empty list of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

// A job's result batches and data.
void RegisterResultBatchRoutes(http::Router& r, ResultsContext rc) {
  r.Post("/agent/v1/jobs/{id}/results",
         [rc](http::Request& req) mutable { return StoreResults(rc.api, req); });

  r.Post("/agent/v1/jobs/{id}/data", [rc](http::Request& req) mutable {
    auto aj = JobOfAgent(rc.api, req);
    if (!aj) return ErrorResponse(aj.error());
    auto body = ParseObject(req);
    if (!body) return ErrorResponse(body.error());
    resultdb::DataChange change;
    auto scope = OptionalString(*body, "scope", "flow");
    auto op = OptionalString(*body, "operation", "set");
    auto ptr = OptionalString(*body, "json_pointer", "/");
    for (const auto* f : {&scope, &op, &ptr})
      if (!*f) return ErrorResponse(f->error());
    if (!body->contains("value"))
      return ErrorResponse(Error{ErrorCode::kInvalid, "is required", "value"});
    auto secret_values = rc.api.engine.JobSecretValues(aj->job);
    if (!secret_values) return ErrorResponse(secret_values.error());
    change = {*scope, *op, *ptr, workflow::MaskSecrets((*body)["value"], *secret_values)};
    store::Transaction tx(rc.api.store.db());
    auto data = resultdb::ApplyDataChange(rc.api.store, aj->flow, change);
    if (!data) return ErrorResponse(data.error());
    if (auto st = tx.Commit(); !st) return ErrorResponse(st.error());
    if (change.scope == "flow") rc.api.hub.Changed("flow", aj->flow.id);
    return JsonResponse(200, Json{{"scope", change.scope}, {"data", *data}});
  });
}

// Artifacts and caches: upload and download URLs.
void RegisterArtifactAgentRoutes(http::Router& r, ResultsContext rc) {
  r.Post("/agent/v1/jobs/{id}/artifacts/upload",
         [rc](http::Request& req) mutable { return BeginUpload(rc, req, "artifact"); });
  r.Post("/agent/v1/jobs/{id}/cache/save",
         [rc](http::Request& req) mutable { return BeginUpload(rc, req, "cache"); });

  r.Post("/agent/v1/jobs/{id}/artifacts/download", [rc](http::Request& req) mutable {
    auto aj = JobOfAgent(rc.api, req);
    if (!aj) return ErrorResponse(aj.error());
    auto body = ParseObject(req);
    if (!body) return ErrorResponse(body.error());
    auto sources = StringList(*body, "source");
    if (!sources) return ErrorResponse(sources.error());
    artifacts::ArtifactStore as(rc.api.store.db(), *rc.blobs);
    auto found = as.FindInFlow(aj->flow.id, aj->run.id, *sources);
    if (!found) return ErrorResponse(found.error());
    auto files = DownloadGrants(as, *found, rc.api.clock.Now());
    if (!files) return ErrorResponse(files.error());
    return JsonResponse(200, Json{{"files", *files}});
  });

  r.Post("/agent/v1/jobs/{id}/cache/restore", [rc](http::Request& req) mutable {
    auto aj = JobOfAgent(rc.api, req);
    if (!aj) return ErrorResponse(aj.error());
    auto body = ParseObject(req);
    if (!body) return ErrorResponse(body.error());
    auto keys = StringList(*body, "keys");
    if (!keys) return ErrorResponse(keys.error());
    artifacts::ArtifactStore as(rc.api.store.db(), *rc.blobs);
    auto found = as.FindCache(aj->flow.branch_id, aj->job.name, *keys);
    if (!found) return ErrorResponse(found.error());
    auto files = DownloadGrants(as, found->second, rc.api.clock.Now());
    if (!files) return ErrorResponse(files.error());
    return JsonResponse(200, Json{{"key", found->first}, {"files", *files}});
  });

  // Blob transfers: the token in the URL is the only credential, scoped to one file and mode.
}

// Blob pieces through their one-time URLs, and the body limits of the agent's uploads.
void RegisterBlobRoutes(http::Router& r, ResultsContext rc) {
  r.Put("/agent/v1/blobs/{token}", [rc](http::Request& req) mutable {
    artifacts::ArtifactStore as(rc.api.store.db(), *rc.blobs);
    auto a = as.Redeem(req.params["token"], "upload", rc.api.clock.Now());
    if (!a) return ErrorResponse(a.error());
    // An upload URL lives only as long as the job that asked for it.
    if (auto job = rc.api.store.GetJob(a->job_id); !job || job->state == JobState::kCompleted)
      return ErrorResponse(Error{ErrorCode::kForbidden,
                                 fmt::format("this upload URL expired: job {} is over", a->job_id),
                                 "token"});
    auto offset = QueryInteger(req, "offset", 0, 0, INT64_MAX, "must be a byte offset");
    if (!offset) return ErrorResponse(offset.error());
    auto st = as.WritePiece(*a, *offset, req.body);
    if (!st) return ErrorResponse(st.error());
    return JsonResponse(200, Json{{"received", *offset + static_cast<int64_t>(req.body.size())}});
  });
  r.SetBodyLimit("POST", "/agent/v1/jobs/{id}/results",
                 AgentBodyLimit(rc.api, kMaxResultBatchBytes));
  // The upload URL is the credential: a piece over the default is read only for a live one.
  r.SetBodyLimit(
      "PUT", "/agent/v1/blobs/{token}",
      {kMaxBlobPieceBytes, [rc](const http::Request& req) -> std::optional<http::Response> {
         artifacts::ArtifactStore as(rc.api.store.db(), *rc.blobs);
         auto a = as.Redeem(req.params.at("token"), "upload", rc.api.clock.Now());
         if (!a) return ErrorResponse(a.error());
         return std::nullopt;
       }});
  r.Add("GET", "/agent/v1/blobs/{token}",
        http::StreamHandler(
            [rc](http::Request& req, std::shared_ptr<http::StreamWriter> out) mutable {
              artifacts::ArtifactStore as(rc.api.store.db(), *rc.blobs);
              auto a = as.Redeem(req.params["token"], "download", rc.api.clock.Now());
              if (!a) return StreamError(out, a.error());
              SetUserContentHeaders(*out, a->path);
              StreamBlob(rc.api.loop, rc.blobs, a->BlobKey(), out);
            }));
}

void RegisterResultsAgentRoutes(http::Router& r, ResultsContext rc) {
  RegisterResultBatchRoutes(r, rc);
  RegisterArtifactAgentRoutes(r, rc);
  RegisterBlobRoutes(r, rc);
}

void RegisterResultsApi(http::Router& router, ApiContext api) {
  ResultsContext ctx{api, std::make_shared<artifacts::FileBlobStore>(api.data_dir + "/blobs")};
  RegisterResultsAgentRoutes(router, ctx);
  RegisterResultsRestRoutes(router, ctx);
}

}  // namespace kraken::api
