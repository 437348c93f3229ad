// Analysis of a completed run: each job's new results against the latest earlier result of
// the same test (same branch, group and system) in processed CI runs of the same stage, and
// each job's lint issues against those of the previous CI run's job of the same name.
#include <fmt/format.h>

#include <array>
#include <unordered_map>

#include "resultdb/result_store.h"

namespace kraken::resultdb {

namespace {

constexpr size_t kRowsPerUpdate = 400;

struct Latest {
  int status = 0;
  int age = 1;
  std::string recent;
};

// Up to kHistoryWindow earlier results as AnalyzeResult wants them: the latest with its age,
// the ones before it from its `recent` codes (their ages are not needed).
size_t HistoryOf(const Latest& latest,
                 std::array<results::PastResult, results::kHistoryWindow>& out) {
  size_t n = 0;
  const std::string& codes = latest.recent;
  for (size_t i = 0; i < codes.size() && n < out.size(); ++i) {
    auto st = results::StatusFromCode(codes[i] - '0');
    if (!st) break;
    out[n++] = results::PastResult{*st, i == 0 ? latest.age : 1};
  }
  if (n == 0) out[n++] = results::PastResult{*results::StatusFromCode(latest.status), latest.age};
  return n;
}

// Writes the analysis of `rows` results, whose values `params` holds (9 per result), in one
// statement, and clears `params`.
Status UpdateAnalyzed(store::Db& db, size_t rows, std::vector<store::Value>& params) {
  if (rows == 0) return {};
  std::string values;
  for (size_t i = 0; i < rows; ++i)
    values += std::string(i ? "," : "") +
              "(CAST(? AS BIGINT),CAST(? AS INTEGER),CAST(? AS INTEGER),CAST(? AS INTEGER),"
              "CAST(? AS INTEGER),CAST(? AS INTEGER),CAST(? AS DOUBLE PRECISION),CAST(? AS TEXT),"
              "CAST(? AS BIGINT))";
  KR_TRY(
      db.Exec("UPDATE test_results SET analyzed = 1, change = v.column2, age = v.column3, "
              "instability = v.column4, relevancy = v.column5, flaky = v.column6, "
              "flip_rate = v.column7, recent = v.column8, comment_id = v.column9 FROM (VALUES " +
                  values + ") AS v WHERE test_results.id = v.column1",
              params));
  params.clear();
  return {};
}

}  // namespace

// Open comments on a branch's tests (test name → id, state): they decide root-causedness
// and carry over; those a passing CI result closes are collected in `closed`.
struct ResultStore::OpenComments {
  std::unordered_map<std::string, std::pair<Id, int>> open;
  std::vector<Id> closed;
};

// Earlier processed CI runs of the same stage, newest first. A DEV flow compares with the
// latest CI results of its branch, whenever they were made.
Result<store::QueryResult> ResultStore::PreviousRuns(const Run& run, const Flow& flow) {
  std::string sql =
      "SELECT r.id FROM runs r JOIN flows f ON f.id = r.flow_id WHERE f.branch_id = ? AND "
      "f.kind = 'ci' AND r.stage_id = ? AND r.state = 'processed' AND r.id <> ?";
  std::vector<store::Value> params = {flow.branch_id, run.stage_id, run.id};
  if (flow.kind == FlowKind::kCi) {
    sql += " AND f.id < ?";
    params.push_back(flow.id);
  }
  sql += " ORDER BY f.id DESC, r.id DESC LIMIT 10";
  return db_.Exec(sql, params);
}

Result<RunCountersRow> ResultStore::AnalyzeRun(const Run& run, const Flow& flow, Millis now) {
  KR_ASSIGN(auto jobs, db_.Exec("SELECT id, group_id, system, name FROM jobs WHERE run_id = ? "
                                "AND covered = 0",
                                {run.id}));
  KR_ASSIGN(auto prev_runs, PreviousRuns(run, flow));
  KR_ASSIGN(auto open,
            db_.Exec("SELECT test_name, id, state FROM test_comments WHERE branch_id = ? "
                     "AND open = 1",
                     {flow.branch_id}));
  OpenComments comments;
  for (const auto& row : open.rows)
    comments.open[row.Text(0)] = {row.Int(1), static_cast<int>(row.Int(2))};
  for (const auto& job : jobs.rows) {
    Id job_id = job.Int(0), group_id = job.Int(1);
    std::string system = job.Text(2), job_name = job.Text(3);
    KR_TRY(AnalyzeJobResults(job_id, group_id, system, prev_runs, flow, comments));
    KR_TRY(AgeJobIssues(job_id, group_id, system, job_name, prev_runs));
  }
  for (Id c : comments.closed)
    KR_TRY(db_.Exec("UPDATE test_comments SET open = 0, updated = ? WHERE id = ?", {now, c}));
  return StoreRunCounters(run, now);
}

// Each new result of the job against the latest earlier result of the same test.
Status ResultStore::AnalyzeJobResults(Id job_id, Id group_id, const std::string& system,
                                      const store::QueryResult& prev_runs, const Flow& flow,
                                      OpenComments& comments) {
  KR_ASSIGN(auto fresh, db_.Exec("SELECT id, test_name, status FROM test_results WHERE job_id = ? "
                                 "AND analyzed = 0",
                                 {job_id}));
  if (fresh.rows.empty()) return {};
  // The latest earlier result of each of this job's tests; status -1 until found.
  std::unordered_map<std::string, Latest> latest;
  latest.reserve(fresh.rows.size());
  for (const auto& row : fresh.rows) latest.try_emplace(row.Text(1), Latest{-1, 1, {}});
  size_t missing = latest.size();
  for (const auto& pr : prev_runs.rows) {
    if (missing == 0) break;
    KR_ASSIGN(auto rows,
              db_.Exec("SELECT test_name, status, age, recent FROM test_results "
                       "WHERE run_id = ? AND group_id = ? AND system = ? AND analyzed = 1",
                       {pr.Int(0), group_id, system}));
    for (const auto& r : rows.rows) {
      auto it = latest.find(r.Text(0));
      if (it == latest.end() || it->second.status >= 0) continue;
      it->second = Latest{static_cast<int>(r.Int(1)), static_cast<int>(r.Int(2)), r.Text(3)};
      --missing;
    }
  }
  std::array<results::PastResult, results::kHistoryWindow> window;
  std::vector<store::Value> params;
  size_t pending = 0;
  for (const auto& row : fresh.rows) {
    std::string name = row.Text(1);
    auto status = results::StatusFromCode(static_cast<int>(row.Int(2)))
                      .value_or(results::TestStatus::kNotRun);
    size_t n = 0;
    auto it = latest.find(name);
    if (it != latest.end() && it->second.status >= 0) n = HistoryOf(it->second, window);
    auto comment = comments.open.find(name);
    bool root_caused =
        comment != comments.open.end() &&
        results::IsRootCaused(static_cast<results::CommentState>(comment->second.second));
    results::AnalyzedResult a =
        results::AnalyzeResult(status, std::span(window.data(), n), root_caused);
    std::string recent(1, static_cast<char>('0' + static_cast<int>(status)));
    for (size_t i = 0; i < n && recent.size() < static_cast<size_t>(results::kHistoryWindow); ++i)
      recent += static_cast<char>('0' + static_cast<int>(window[i].status));
    store::Value comment_id = store::Null();
    if (comment != comments.open.end()) {
      if (status == results::TestStatus::kPassed && flow.kind == FlowKind::kCi) {
        comments.closed.push_back(comment->second.first);  // fixed: the thread ends here
        comments.open.erase(comment);
      } else {
        comment_id = comment->second.first;
      }
    }
    params.insert(params.end(), {row.Int(0), int64_t(static_cast<int>(a.change)), int64_t(a.age),
                                 int64_t(a.instability), int64_t(a.relevancy),
                                 int64_t(a.flaky ? 1 : 0), a.flip_rate, recent, comment_id});
    if (++pending == kRowsPerUpdate) {
      KR_TRY(UpdateAnalyzed(db_, pending, params));
      pending = 0;
    }
  }
  return UpdateAnalyzed(db_, pending, params);
}

// Issues: aged against the previous CI run's job of the same name, group and system.
Status ResultStore::AgeJobIssues(Id job_id, Id group_id, const std::string& system,
                                 const std::string& job_name, const store::QueryResult& prev_runs) {
  KR_ASSIGN(auto new_issues, db_.Exec("SELECT id, path, line, col, symbol, message, issue_type "
                                      "FROM issues WHERE job_id = ?",
                                      {job_id}));
  if (new_issues.rows.empty() || prev_runs.rows.empty()) return {};
  KR_ASSIGN(
      auto old_issues,
      db_.Exec(
          "SELECT i.path, i.line, i.col, i.symbol, i.message, i.issue_type, i.age FROM issues i "
          "JOIN jobs j ON j.id = i.job_id WHERE i.run_id = ? AND j.name = ? AND j.group_id = ? "
          "AND j.system = ? AND j.covered = 0",
          {prev_runs.rows[0].Int(0), job_name, group_id, system}));
  auto to_issue = [](const store::Row& r, size_t base) {
    results::Issue is;
    is.path = r.Text(base);
    is.line = static_cast<int>(r.Int(base + 1));
    is.column = static_cast<int>(r.Int(base + 2));
    is.symbol = r.Text(base + 3);
    is.message = r.Text(base + 4);
    is.type = static_cast<results::IssueType>(r.Int(base + 5));
    return is;
  };
  std::vector<results::Issue> current, previous;
  for (const auto& r : new_issues.rows) current.push_back(to_issue(r, 1));
  for (const auto& r : old_issues.rows) {
    previous.push_back(to_issue(r, 0));
    previous.back().age = static_cast<int>(r.Int(6));
  }
  results::AgeIssues(current, previous);
  for (size_t i = 0; i < current.size(); ++i)
    KR_TRY(db_.Exec("UPDATE issues SET age = ? WHERE id = ?",
                    {int64_t(current[i].age), new_issues.rows[i].Int(0)}));
  return {};
}

// Counters over the run's current jobs, so a rerun job replaces the one it covers.
Result<RunCountersRow> ResultStore::StoreRunCounters(const Run& run, Millis now) {
  KR_ASSIGN(
      auto sums,
      db_.Exec("SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 1 THEN 1 ELSE 0 END), 0), "
               "COALESCE(SUM(CASE WHEN status = 0 THEN 1 ELSE 0 END), 0), "
               "COALESCE(SUM(CASE WHEN change = 3 THEN 1 ELSE 0 END), 0), "
               "COALESCE(SUM(CASE WHEN change = 1 AND flaky = 0 THEN 1 ELSE 0 END), 0), "
               "COALESCE(SUM(CASE WHEN change = 2 AND flaky = 0 THEN 1 ELSE 0 END), 0), "
               "COALESCE(SUM(CASE WHEN change = 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(flaky), 0) "
               "FROM test_results WHERE run_id = ? AND job_id IN (SELECT id FROM jobs WHERE run_id "
               "= ? AND covered = 0)",
               {run.id, run.id}));
  KR_ASSIGN(
      auto isums,
      db_.Exec(
          "SELECT COUNT(*), COALESCE(SUM(CASE WHEN age <= 1 THEN 1 ELSE 0 END), 0) FROM issues "
          "WHERE run_id = ? AND job_id IN (SELECT id FROM jobs WHERE run_id = ? AND covered = 0)",
          {run.id, run.id}));
  RunCountersRow c;
  const store::Row& s = sums.rows.at(0);
  c.tests.total = static_cast<int>(s.Int(0));
  c.tests.passed = static_cast<int>(s.Int(1));
  c.tests.not_run = static_cast<int>(s.Int(2));
  c.tests.new_tests = static_cast<int>(s.Int(3));
  c.tests.fixes = static_cast<int>(s.Int(4));
  c.tests.regressions = static_cast<int>(s.Int(5));
  c.tests.no_change = static_cast<int>(s.Int(6));
  c.tests.flaky = static_cast<int>(s.Int(7));
  c.issues_total = isums.rows.at(0).Int(0);
  c.issues_new = isums.rows.at(0).Int(1);
  c.processed = now;
  KR_TRY(db_.Exec("DELETE FROM run_counters WHERE run_id = ?", {run.id}));
  KR_TRY(db_.Exec(
      "INSERT INTO run_counters (run_id, tests_total, tests_passed, tests_not_run, tests_new, "
      "tests_fixes, tests_regressions, tests_no_change, tests_flaky, issues_total, issues_new, "
      "processed) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
      {run.id, int64_t(c.tests.total), int64_t(c.tests.passed), int64_t(c.tests.not_run),
       int64_t(c.tests.new_tests), int64_t(c.tests.fixes), int64_t(c.tests.regressions),
       int64_t(c.tests.no_change), int64_t(c.tests.flaky), c.issues_total, c.issues_new, now}));
  return c;
}

}  // namespace kraken::resultdb
