#include "artifacts/retention.h"

#include <fmt/format.h>

namespace kraken::artifacts {

Json ToJson(const RetentionPolicy& p) {
  return {{"ci_logs", p.ci_logs},
          {"dev_logs", p.dev_logs},
          {"ci_artifacts", p.ci_artifacts},
          {"dev_artifacts", p.dev_artifacts}};
}

Status ReadPolicy(const Json& body, RetentionPolicy& into) {
  for (auto [name, field] :
       {std::pair{"ci_logs", &into.ci_logs}, std::pair{"dev_logs", &into.dev_logs},
        std::pair{"ci_artifacts", &into.ci_artifacts},
        std::pair{"dev_artifacts", &into.dev_artifacts}}) {
    auto it = body.find(name);
    if (it == body.end()) continue;
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 120)
      return Invalid(name, "must be a number of months from 1 to 120");
    *field = it->get<int64_t>();
  }
  return {};
}

Result<RetentionPolicy> GetPolicy(store::Db& db, Id branch_id) {
  KR_ASSIGN(auto q,
            db.Exec("SELECT ci_logs, dev_logs, ci_artifacts, dev_artifacts FROM branch_retention "
                    "WHERE branch_id = ?",
                    {branch_id}));
  RetentionPolicy p;
  if (!q.rows.empty()) p = {q.rows[0].Int(0), q.rows[0].Int(1), q.rows[0].Int(2), q.rows[0].Int(3)};
  return p;
}

Status SavePolicy(store::Db& db, Id branch_id, const RetentionPolicy& p) {
  KR_TRY(db.Exec("DELETE FROM branch_retention WHERE branch_id = ?", {branch_id}));
  KR_TRY(db.Exec(
      "INSERT INTO branch_retention (branch_id, ci_logs, dev_logs, ci_artifacts, dev_artifacts) "
      "VALUES (?,?,?,?,?)",
      {branch_id, p.ci_logs, p.dev_logs, p.ci_artifacts, p.dev_artifacts}));
  return {};
}

Result<CleanupCounts> EnforceRetention(store::Db& db, ArtifactStore& artifacts, Millis now) {
  CleanupCounts counts;
  KR_ASSIGN(auto branches, db.Exec("SELECT id FROM branches"));
  for (const auto& b : branches.rows) {
    Id branch_id = b.Int(0);
    KR_ASSIGN(auto p, GetPolicy(db, branch_id));
    store::Transaction tx(db);
    for (auto [kind, months] : {std::pair{"ci", p.ci_logs}, std::pair{"dev", p.dev_logs}}) {
      KR_ASSIGN(auto del, db.Exec("DELETE FROM log_chunks WHERE job_id IN (SELECT j.id FROM jobs j "
                                  "JOIN runs r ON r.id = j.run_id "
                                  "JOIN flows f ON f.id = r.flow_id WHERE f.branch_id = ? AND "
                                  "f.kind = ? AND f.created < ?)",
                                  {branch_id, std::string(kind), now - months * kMonth}));
      counts.log_jobs += del.affected;
    }
    for (auto [kind, months] :
         {std::pair{"ci", p.ci_artifacts}, std::pair{"dev", p.dev_artifacts}}) {
      KR_ASSIGN(auto n, artifacts.DeleteOlderThan(branch_id, kind, now - months * kMonth));
      counts.artifacts += n;
    }
    KR_TRY(tx.Commit());
  }
  KR_ASSIGN(counts.caches, artifacts.DeleteCachesOlderThan(now - kCacheLifetime));
  KR_TRY(artifacts.DeleteExpiredGrants(now));
  return counts;
}

}  // namespace kraken::artifacts
