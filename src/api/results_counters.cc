#include "api/results_api.h"

namespace kraken::api {

Json RunTestCounters(store::Db& db, Id run_id) {
  resultdb::ResultStore results(db);
  auto c = results.Counters(run_id);
  if (!c || !*c) return nullptr;
  return resultdb::ToJson(**c);
}

}  // namespace kraken::api
