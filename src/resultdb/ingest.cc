// Storing result batches: one multi-row INSERT per chunk of rows, inside the caller's
// transaction, after claiming the batch number so a resent batch is stored once.
#include <fmt/format.h>

#include "resultdb/result_store.h"

namespace kraken::resultdb {

namespace {

// Rows per INSERT: bounded by SQLite's and PostgreSQL's limits on bound parameters.
constexpr size_t kRowsPerInsert = 400;

std::string Placeholders(size_t rows, size_t cols) {
  std::string row = "(";
  for (size_t c = 0; c < cols; ++c) row += c ? ",?" : "?";
  row += ")";
  std::string out;
  out.reserve(rows * (row.size() + 1));
  for (size_t r = 0; r < rows; ++r) {
    if (r) out += ',';
    out += row;
  }
  return out;
}

}  // namespace

Result<bool> ResultStore::StoreBatch(const JobScope& s, int64_t step_idx, int64_t seq,
                                     const std::vector<results::ResultRecord>& records,
                                     const std::vector<results::Issue>& issues,
                                     const std::vector<Json>& extras, Millis now) {
  KR_ASSIGN(auto claimed,
            db_.Exec("INSERT INTO result_batches (job_id, step_idx, seq, created) VALUES (?,?,?,?) "
                     "ON CONFLICT DO NOTHING",
                     {s.job_id, step_idx, seq, now}));
  if (claimed.affected == 0) return false;

  constexpr size_t kCols = 17;
  for (size_t start = 0; start < records.size(); start += kRowsPerInsert) {
    size_t n = std::min(kRowsPerInsert, records.size() - start);
    std::vector<store::Value> params;
    params.reserve(n * kCols);
    for (size_t i = start; i < start + n; ++i) {
      const results::ResultRecord& r = records[i];
      params.insert(params.end(),
                    {s.job_id, s.run_id, s.flow_id, s.branch_id, s.flow_kind, s.stage_id,
                     s.group_id, s.system, s.job_name, r.test, int64_t(static_cast<int>(r.status)),
                     r.cmd ? store::Value(*r.cmd) : store::Null(),
                     r.values ? store::Value(r.values->dump()) : store::Null(), r.message,
                     r.duration_seconds, std::string(), now});
    }
    std::string sql =
        "INSERT INTO test_results (job_id, run_id, flow_id, branch_id, flow_kind, stage_id, "
        "group_id, system, job_name, test_name, status, cmd, values_json, message, duration, "
        "recent, created) VALUES " +
        Placeholders(n, kCols);
    KR_TRY(db_.Exec(sql, params));
  }
  for (size_t i = 0; i < issues.size(); ++i) {
    const results::Issue& is = issues[i];
    KR_TRY(db_.Exec(
        "INSERT INTO issues (job_id, run_id, path, line, col, symbol, message, issue_type, extra, "
        "created) VALUES (?,?,?,?,?,?,?,?,?,?)",
        {s.job_id, s.run_id, is.path, int64_t(is.line), int64_t(is.column), is.symbol, is.message,
         int64_t(static_cast<int>(is.type)),
         i < extras.size() ? extras[i].dump() : std::string("{}"), now}));
  }
  return true;
}

}  // namespace kraken::resultdb
