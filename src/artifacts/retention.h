// Branch retention: how many months a branch keeps the logs and artifacts of its CI and DEV
// flows (Branch retention policy), and the cleanup pass that enforces it, plus the 10-day
// limit on cache entries. Policies are rows of branch_retention; a branch without one uses
// the defaults. Not thread-safe: runs on the server's event loop.
#pragma once

#include "artifacts/artifact_store.h"
#include "core/clock.h"
#include "store/db.h"

namespace kraken::artifacts {

struct RetentionPolicy {
  int64_t ci_logs = 6, dev_logs = 3, ci_artifacts = 6, dev_artifacts = 3;  // months
};
Json ToJson(const RetentionPolicy& p);
// Reads the fields present in body over `into`; an Error naming a field that is not a
// whole number of months from 1 to 120.
Status ReadPolicy(const Json& body, RetentionPolicy& into);

Result<RetentionPolicy> GetPolicy(store::Db& db, Id branch_id);
Status SavePolicy(store::Db& db, Id branch_id, const RetentionPolicy& policy);

inline constexpr Millis kMonth = 30LL * 24 * 3600 * 1000;
inline constexpr Millis kCacheLifetime = 10LL * 24 * 3600 * 1000;

struct CleanupCounts {
  int64_t log_jobs = 0, artifacts = 0, caches = 0;
};

// Deletes what every branch's policy no longer keeps; one transaction per branch.
Result<CleanupCounts> EnforceRetention(store::Db& db, ArtifactStore& artifacts, Millis now);

}  // namespace kraken::artifacts
