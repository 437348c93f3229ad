#include <spdlog/spdlog.h>

#include "api/results_api.h"
#include "artifacts/retention.h"

namespace kraken::api {

void ResultsProcessor::Changed(const std::string& kind, Id id) {
  if (kind != "run") return;
  // The engine calls listeners inside its own transaction: analyse after it commits.
  ctx_.loop.Post([this, id] {
    if (auto st = Process(id); !st) spdlog::error("analysis of run {} failed: {}", id, st.error().message);
  });
}

void ResultsProcessor::CatchUp() {
  auto q = ctx_.store.db().Exec("SELECT id FROM runs WHERE state = 'completed' ORDER BY id");
  if (!q) return;
  for (const auto& r : q->rows)
    if (auto st = Process(r.Int(0)); !st)
      spdlog::error("analysis of run {} failed: {}", r.Int(0), st.error().message);
}

Status ResultsProcessor::Process(Id run_id) {
  store::Transaction tx(ctx_.store.db());
  KR_ASSIGN(auto run, ctx_.store.GetRun(run_id));
  if (run.state != RunState::kCompleted) return {};
  KR_ASSIGN(auto flow, ctx_.store.GetFlow(run.flow_id));
  resultdb::ResultStore results(ctx_.store.db());
  KR_ASSIGN(auto counters, results.AnalyzeRun(run, flow, ctx_.clock.Now()));
  run.state = RunState::kProcessed;
  KR_TRY(ctx_.store.SaveRun(run));
  KR_TRY(tx.Commit());
  ctx_.hub.Changed("run", run_id);
  (void)counters;
  return {};
}

void ResultsProcessor::RetentionPass() {
  artifacts::FileBlobStore blobs(ctx_.data_dir + "/blobs");
  artifacts::ArtifactStore as(ctx_.store.db(), blobs);
  auto counts = artifacts::EnforceRetention(ctx_.store.db(), as, ctx_.clock.Now());
  if (!counts) {
    spdlog::error("retention cleanup failed: {}", counts.error().message);
    return;
  }
  if (counts->log_jobs || counts->artifacts || counts->caches)
    spdlog::info("retention: deleted {} log chunks, {} artifacts, {} cache entries", counts->log_jobs,
                 counts->artifacts, counts->caches);
}

Json RunTestCounters(store::Db& db, Id run_id) {
  resultdb::ResultStore results(db);
  auto c = results.Counters(run_id);
  if (!c || !*c) return nullptr;
  return resultdb::ToJson(**c);
}

}  // namespace kraken::api
