// Analyses each run once it completes (its test results against the branch's history, its
// issues, its counters) and moves it to `processed`. The analysis runs after the change that
// completed the run has committed: RunChanged posts it to the loop. Runs on the server's
// event loop; not thread-safe.
#pragma once

#include <functional>

#include "core/clock.h"
#include "core/entities.h"
#include "core/error.h"
#include "store/store.h"

namespace kraken::resultdb {

class RunProcessor {
 public:
  using Post = std::function<void(std::function<void()>)>;
  // Told of each run that became processed.
  using Processed = std::function<void(Id run_id)>;

  RunProcessor(store::Store& store, const Clock& clock, Post post, Processed processed)
      : store_(store), clock_(clock), post_(std::move(post)), processed_(std::move(processed)) {}

  // A run changed (inside the transaction that changed it): analyses it once that commits,
  // if it is completed.
  void RunChanged(Id run_id);
  // Analyses every run left completed but not processed (a restart mid-analysis).
  void CatchUp();
  // Analyses the run now if it is completed; the run's flow may be of any kind.
  Status Process(Id run_id);

 private:
  store::Store& store_;
  const Clock& clock_;
  Post post_;
  Processed processed_;
};

}  // namespace kraken::resultdb
