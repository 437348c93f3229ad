// Test results, artifacts, caches and user data over HTTP: the agent protocol calls the
// tools use (/agent/v1/jobs/{id}/results, /data, /artifacts/*, /cache/*, /agent/v1/blobs/*)
// and the REST API (/api/v1/runs/{id}/results, /results/{id}/..., /flows/{id}/compare, ...).
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

// The run's test counters as JSON (null before analysis); for run views.
Json RunTestCounters(store::Db& db, Id run_id);

}  // namespace kraken::api
