// Test results, artifacts, caches and user data over HTTP: the agent protocol calls the
// tools use (/agent/v1/jobs/{id}/results, /data, /artifacts/*, /cache/*, /agent/v1/blobs/*)
// and the REST API (/api/v1/runs/{id}/results, /results/{id}/..., /flows/{id}/compare, ...).
// Also the ResultsProcessor, an engine listener that analyses each run once it completes
// and moves it to `processed`, and the periodic retention cleanup.
//
// Everything runs on the server's event loop.
#pragma once

#include <memory>

#include "api/api.h"
#include "artifacts/artifact_store.h"
#include "resultdb/result_store.h"

namespace kraken::api {

// What the result routes share: the API context and the blob store (files under
// <data-dir>/blobs), shared by the routes' handlers.
struct ResultsContext {
  ApiContext api;
  std::shared_ptr<artifacts::BlobStore> blobs;
};

void RegisterResultsAgentRoutes(http::Router& router, ResultsContext ctx);
void RegisterResultsRestRoutes(http::Router& router, ResultsContext ctx);
// Both of the above, over a FileBlobStore in the data directory.
void RegisterResultsApi(http::Router& router, ApiContext ctx);

// Runs the analysis of a completed run on the loop, after the engine's transaction that
// completed it has committed; then marks it processed and announces the change.
class ResultsProcessor : public exec::Listener {
 public:
  explicit ResultsProcessor(ApiContext ctx) : ctx_(ctx) {}
  void Changed(const std::string& kind, Id id) override;
  // Analyses every run left completed but not processed (a restart mid-analysis).
  void CatchUp();
  // Analyses the run now if it is completed; the run's flow may be of any kind.
  Status Process(Id run_id);
  // Deletes the logs and artifacts that branch retention policies no longer keep.
  void RetentionPass();

 private:
  ApiContext ctx_;
};

// The run's test counters as JSON (null before analysis); for run views.
Json RunTestCounters(store::Db& db, Id run_id);

}  // namespace kraken::api
