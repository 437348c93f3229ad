// Reading results back: the run's results table with filters and sorting, a test's history,
// a flow's results for comparison, issues, counters; and the codes' API names.
#include <fmt/format.h>

#include "core/json_limits.h"
#include "resultdb/result_store.h"

namespace kraken::resultdb {

namespace {

constexpr const char* kResultColumns =
    "id, job_id, run_id, flow_id, branch_id, group_id, flow_kind, system, job_name, test_name, "
    "status, cmd, values_json, message, duration, analyzed, change, age, instability, relevancy, "
    "flaky, flip_rate, comment_id, created";

StoredResult ResultOf(const store::Row& r) {
  StoredResult x;
  x.id = r.Int(0);
  x.job_id = r.Int(1);
  x.run_id = r.Int(2);
  x.flow_id = r.Int(3);
  x.branch_id = r.Int(4);
  x.group_id = r.Int(5);
  x.flow_kind = r.Text(6);
  x.system = r.Text(7);
  x.job_name = r.Text(8);
  x.test_name = r.Text(9);
  x.status = static_cast<int>(r.Int(10));
  if (!r.IsNull(11)) x.cmd = r.Text(11);
  if (!r.IsNull(12)) x.values = ParseJson(r.Text(12)).value_or(Json());
  x.message = r.Text(13);
  x.duration = r.Real(14);
  x.analyzed = r.Int(15) != 0;
  x.change = static_cast<int>(r.Int(16));
  x.age = static_cast<int>(r.Int(17));
  x.instability = static_cast<int>(r.Int(18));
  x.relevancy = static_cast<int>(r.Int(19));
  x.flaky = r.Int(20) != 0;
  x.flip_rate = r.Real(21);
  if (!r.IsNull(22)) x.comment_id = r.Int(22);
  x.created = r.Int(23);
  return x;
}

std::string InList(size_t n) {
  std::string s = "(";
  for (size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s + ")";
}

}  // namespace

std::string_view ChangeName(int change) {
  switch (change) {
    case 0:
      return "no-change";
    case 1:
      return "fix";
    case 2:
      return "regression";
    default:
      return "new";
  }
}

std::optional<int> ChangeFromName(std::string_view name) {
  if (name == "no-change") return 0;
  if (name == "fix") return 1;
  if (name == "regression") return 2;
  if (name == "new") return 3;
  return std::nullopt;
}

std::string_view CommentStateName(int state) {
  switch (state) {
    case 1:
      return "investigating";
    case 2:
      return "bug-in-product";
    case 3:
      return "bug-in-test";
    default:
      return "new";
  }
}

std::optional<int> CommentStateFromName(std::string_view name) {
  for (int i = 0; i < 4; ++i)
    if (CommentStateName(i) == name) return i;
  return std::nullopt;
}

std::string_view IssueTypeName(int type) {
  switch (type) {
    case 0:
      return "error";
    case 2:
      return "convention";
    case 3:
      return "refactor";
    default:
      return "warning";
  }
}

Json ToJson(const StoredResult& r) {
  Json j = {{"id", r.id},
            {"job_id", r.job_id},
            {"run_id", r.run_id},
            {"flow_id", r.flow_id},
            {"branch_id", r.branch_id},
            {"agents_group_id", r.group_id},
            {"flow_kind", r.flow_kind},
            {"system", r.system},
            {"job_name", r.job_name},
            {"test", r.test_name},
            {"status", results::StatusName(results::StatusFromCode(r.status).value_or(
                           results::TestStatus::kNotRun))},
            {"cmd", r.cmd ? Json(*r.cmd) : Json(nullptr)},
            {"values", r.values},
            {"message", r.message},
            {"duration", r.duration},
            {"analyzed", r.analyzed},
            {"change", r.analyzed ? Json(std::string(ChangeName(r.change))) : Json(nullptr)},
            {"age", r.age},
            {"instability", r.instability},
            {"relevancy", r.relevancy},
            {"flaky", r.flaky},
            {"flip_rate", r.flip_rate},
            {"comment_id", r.comment_id ? Json(*r.comment_id) : Json(nullptr)},
            {"created", r.created}};
  return j;
}

Json ToJson(const RunCountersRow& c) {
  return {{"total", c.tests.total},         {"passed", c.tests.passed},
          {"not_run", c.tests.not_run},     {"new", c.tests.new_tests},
          {"fixes", c.tests.fixes},         {"regressions", c.tests.regressions},
          {"no_change", c.tests.no_change}, {"flaky", c.tests.flaky},
          {"issues_total", c.issues_total}, {"issues_new", c.issues_new},
          {"processed", c.processed}};
}

Result<std::optional<RunCountersRow>> ResultStore::Counters(Id run_id) {
  KR_ASSIGN(auto q,
            db_.Exec("SELECT tests_total, tests_passed, tests_not_run, tests_new, tests_fixes, "
                     "tests_regressions, tests_no_change, tests_flaky, issues_total, "
                     "issues_new, processed FROM run_counters WHERE run_id = ?",
                     {run_id}));
  if (q.rows.empty()) return std::optional<RunCountersRow>();
  const auto& r = q.rows[0];
  RunCountersRow c;
  c.tests.total = static_cast<int>(r.Int(0));
  c.tests.passed = static_cast<int>(r.Int(1));
  c.tests.not_run = static_cast<int>(r.Int(2));
  c.tests.new_tests = static_cast<int>(r.Int(3));
  c.tests.fixes = static_cast<int>(r.Int(4));
  c.tests.regressions = static_cast<int>(r.Int(5));
  c.tests.no_change = static_cast<int>(r.Int(6));
  c.tests.flaky = static_cast<int>(r.Int(7));
  c.issues_total = r.Int(8);
  c.issues_new = r.Int(9);
  c.processed = r.Int(10);
  return std::optional<RunCountersRow>(c);
}

Result<StoredResult> ResultStore::GetResult(Id id) {
  KR_ASSIGN(
      auto q,
      db_.Exec(fmt::format("SELECT {} FROM test_results WHERE id = ?", kResultColumns), {id}));
  if (q.rows.empty()) return NotFound(fmt::format("test result {} not found", id));
  return ResultOf(q.rows[0]);
}

namespace {

// The conditions of `f` beyond the run, added to `where` with their values.
void AddFilterClauses(const ResultFilter& f, std::string& where,
                      std::vector<store::Value>& params) {
  if (!f.statuses.empty()) {
    where += " AND status IN " + InList(f.statuses.size());
    for (int s : f.statuses) params.push_back(int64_t(s));
  }
  if (!f.changes.empty()) {
    where += " AND change IN " + InList(f.changes.size()) + " AND analyzed = 1";
    for (int c : f.changes) params.push_back(int64_t(c));
  }
  auto bound = [&](const char* sql, const std::optional<int>& v) {
    if (!v) return;
    where += sql;
    params.push_back(int64_t(*v));
  };
  bound(" AND age >= ?", f.min_age);
  bound(" AND age <= ?", f.max_age);
  bound(" AND instability >= ?", f.min_instability);
  bound(" AND instability <= ?", f.max_instability);
  if (f.flaky) {
    where += " AND flaky = ?";
    params.push_back(int64_t(*f.flaky ? 1 : 0));
  }
  if (!f.name.empty()) {
    // instr() is SQLite's, strpos() PostgreSQL's; LIKE needs escaping. Both accept LIKE with
    // an ESCAPE clause.
    std::string pattern = "%";
    for (char c : f.name) {
      if (c == '%' || c == '_' || c == '!') pattern += '!';
      pattern += c;
    }
    pattern += "%";
    where += " AND test_name LIKE ? ESCAPE '!'";
    params.push_back(pattern);
  }
  if (f.job_id) {
    where += " AND job_id = ?";
    params.push_back(*f.job_id);
  }
  if (!f.job_name.empty()) {
    where += " AND job_name = ?";
    params.push_back(f.job_name);
  }
  if (!f.system.empty()) {
    where += " AND system = ?";
    params.push_back(f.system);
  }
  if (f.group_id) {
    where += " AND group_id = ?";
    params.push_back(*f.group_id);
  }
}

// The column a results list is sorted by, from the API's name for it.
Result<const char*> SortColumn(const std::string& sort) {
  static const std::pair<const char*, const char*> kSorts[] = {
      {"name", "test_name"},   {"status", "status"},           {"change", "change"},
      {"age", "age"},          {"instability", "instability"}, {"relevancy", "relevancy"},
      {"system", "system"},    {"group", "group_id"},          {"job", "job_name"},
      {"duration", "duration"}};
  const char* column = nullptr;
  for (const auto& [key, col] : kSorts)
    if (sort == key) column = col;
  if (!column)
    return Invalid("sort",
                   "must be one of name, status, change, age, instability, "
                   "relevancy, system, group, job, duration");
  return column;
}

}  // namespace

Result<std::pair<std::vector<StoredResult>, int64_t>> ResultStore::ListRunResults(
    Id run_id, const ResultFilter& f) {
  // Results of covered (rerun) jobs are left out; most runs have none, and then the
  // per-row check is skipped.
  KR_ASSIGN(auto covered,
            db_.Exec("SELECT COUNT(*) FROM jobs WHERE run_id = ? AND covered = 1", {run_id}));
  std::string where = "run_id = ?";
  std::vector<store::Value> params = {run_id};
  if (covered.rows[0].Int(0) > 0) {
    where += " AND job_id IN (SELECT id FROM jobs WHERE run_id = ? AND covered = 0)";
    params.push_back(run_id);
  }
  AddFilterClauses(f, where, params);
  KR_ASSIGN(auto count, db_.Exec("SELECT COUNT(*) FROM test_results WHERE " + where, params));
  KR_ASSIGN(const char* column, SortColumn(f.sort));
  // Ties break on id in the same direction, so the (run_id, column) indexes, whose entries
  // end with the row id, give the order without a sort.
  const char* dir = f.descending ? "DESC" : "ASC";
  std::string order = fmt::format(" ORDER BY {} {}, id {} LIMIT ? OFFSET ?", column, dir, dir);
  params.push_back(f.limit);
  params.push_back(f.offset);
  KR_ASSIGN(auto rows, db_.Exec(fmt::format("SELECT {} FROM test_results WHERE {}{}",
                                            kResultColumns, where, order),
                                params));
  std::vector<StoredResult> out;
  out.reserve(rows.rows.size());
  for (const auto& r : rows.rows) out.push_back(ResultOf(r));
  return std::make_pair(std::move(out), count.rows[0].Int(0));
}

Result<std::pair<std::vector<StoredResult>, int64_t>> ResultStore::History(const StoredResult& of,
                                                                           int64_t limit,
                                                                           int64_t offset) {
  std::string where =
      "test_name = ? AND branch_id = ? AND group_id = ? AND system = ? AND (flow_kind = 'ci' OR id "
      "= ?)";
  std::vector<store::Value> params = {of.test_name, of.branch_id, of.group_id, of.system, of.id};
  KR_ASSIGN(auto count, db_.Exec("SELECT COUNT(*) FROM test_results WHERE " + where, params));
  params.push_back(limit);
  params.push_back(offset);
  KR_ASSIGN(auto rows, db_.Exec(fmt::format("SELECT {} FROM test_results WHERE {} ORDER BY id DESC "
                                            "LIMIT ? OFFSET ?",
                                            kResultColumns, where),
                                params));
  std::vector<StoredResult> out;
  for (const auto& r : rows.rows) out.push_back(ResultOf(r));
  return std::make_pair(std::move(out), count.rows[0].Int(0));
}

Result<std::vector<StoredResult>> ResultStore::FlowResults(Id flow_id) {
  KR_ASSIGN(auto rows,
            db_.Exec(fmt::format("SELECT {} FROM test_results WHERE flow_id = ? AND job_id IN "
                                 "(SELECT j.id FROM jobs j JOIN runs r ON r.id = j.run_id "
                                 "WHERE r.flow_id = ? AND j.covered = 0)",
                                 kResultColumns),
                     {flow_id, flow_id}));
  std::vector<StoredResult> out;
  out.reserve(rows.rows.size());
  for (const auto& r : rows.rows) out.push_back(ResultOf(r));
  return out;
}

Result<std::vector<Json>> ResultStore::ListIssues(Id run_id, const Json& filter) {
  std::string where = "i.run_id = ? AND j.covered = 0";
  std::vector<store::Value> params = {run_id};
  if (filter.contains("type")) {
    where += " AND i.issue_type = ?";
    params.push_back(filter["type"].get<int64_t>());
  }
  for (const char* k : {"path", "symbol"})
    if (filter.contains(k)) {
      where += fmt::format(" AND i.{} = ?", k);
      params.push_back(filter[k].get<std::string>());
    }
  if (filter.contains("min_age")) {
    where += " AND i.age >= ?";
    params.push_back(filter["min_age"].get<int64_t>());
  }
  if (filter.contains("max_age")) {
    where += " AND i.age <= ?";
    params.push_back(filter["max_age"].get<int64_t>());
  }
  if (filter.contains("job_id")) {
    where += " AND i.job_id = ?";
    params.push_back(filter["job_id"].get<int64_t>());
  }
  KR_ASSIGN(auto rows,
            db_.Exec("SELECT i.id, i.job_id, j.name, i.path, i.line, i.col, i.symbol, i.message, "
                     "i.issue_type, i.age, i.extra FROM issues i JOIN jobs j ON j.id = i.job_id "
                     "WHERE " +
                         where + " ORDER BY i.path, i.line, i.id",
                     params));
  std::vector<Json> out;
  for (const auto& r : rows.rows)
    out.push_back(Json{{"id", r.Int(0)},
                       {"job_id", r.Int(1)},
                       {"job_name", r.Text(2)},
                       {"path", r.Text(3)},
                       {"line", r.Int(4)},
                       {"column", r.Int(5)},
                       {"symbol", r.Text(6)},
                       {"message", r.Text(7)},
                       {"type", IssueTypeName(static_cast<int>(r.Int(8)))},
                       {"age", r.Int(9)},
                       {"new", r.Int(9) <= 1},
                       {"extra", ParseJson(r.Text(10)).value_or(Json())}});
  return out;
}

}  // namespace kraken::resultdb
