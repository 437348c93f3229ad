#include "resultdb/run_processor.h"

#include <spdlog/spdlog.h>

#include "resultdb/result_store.h"

namespace kraken::resultdb {

void RunProcessor::RunChanged(Id run_id) {
  post_([this, run_id] {
    if (auto st = Process(run_id); !st)
      spdlog::error("analysis of run {} failed: {}", run_id, st.error().message);
  });
}

void RunProcessor::CatchUp() {
  auto ids = store_.RunIdsInState(RunState::kCompleted);
  if (!ids) {
    spdlog::error("cannot list the runs left to analyse: {}", ids.error().message);
    return;
  }
  for (Id id : *ids)
    if (auto st = Process(id); !st)
      spdlog::error("analysis of run {} failed: {}", id, st.error().message);
}

Status RunProcessor::Process(Id run_id) {
  store::Transaction tx(store_.db());
  KR_ASSIGN(auto run, store_.GetRun(run_id));
  if (run.state != RunState::kCompleted) return {};
  KR_ASSIGN(auto flow, store_.GetFlow(run.flow_id));
  ResultStore results(store_.db());
  KR_TRY(results.AnalyzeRun(run, flow, clock_.Now()));
  run.state = RunState::kProcessed;
  KR_TRY(store_.SaveRun(run));
  KR_TRY(tx.Commit());
  if (processed_) processed_(run_id);
  return {};
}

}  // namespace kraken::resultdb
