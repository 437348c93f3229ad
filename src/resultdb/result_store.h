// ResultStore: test results, lint issues and comments kept in the database, and the analysis
// that runs when a run completes (results/analysis.h rules applied against history).
//
// A test case is identified by its name; its history is the results with that name on the
// same branch, agents group and system, from CI flows. Each stored result carries its own
// analysis and `recent`: the status codes of itself and up to 9 results before it, newest
// first, so analysing a result needs only the latest earlier result of its test.
//
// Every call is one or a few statements; callers that must land together open a
// store::Transaction. Not thread-safe: owned by the server's event loop, like its Db.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/entities.h"
#include "core/error.h"
#include "results/analysis.h"
#include "results/issues.h"
#include "results/result_record.h"
#include "store/db.h"

namespace kraken::resultdb {

// Where a job's results belong, copied onto each result so queries need no joins.
struct JobScope {
  Id job_id = 0, run_id = 0, flow_id = 0, branch_id = 0, stage_id = 0, group_id = 0;
  std::string flow_kind;  // "ci" or "dev"
  std::string system, job_name;
};

struct ResultFilter {
  std::vector<int> statuses;  // TestStatus codes; empty: any
  std::vector<int> changes;   // Change codes; empty: any
  std::optional<int> min_age, max_age, min_instability, max_instability;
  std::optional<bool> flaky;
  std::string name;  // substring of the test name
  std::optional<Id> job_id;
  std::string job_name, system;
  std::optional<Id> group_id;
  std::string sort = "relevancy";  // name, status, change, age, instability, relevancy, system,
                                   // group, job, duration
  bool descending = true;
  int64_t limit = 50, offset = 0;
};

struct StoredResult {
  Id id = 0, job_id = 0, run_id = 0, flow_id = 0, branch_id = 0, group_id = 0;
  std::string flow_kind, system, job_name, test_name;
  int status = 0;
  std::optional<std::string> cmd;
  Json values;  // null when none
  std::string message;
  double duration = 0;
  bool analyzed = false;
  int change = 3, age = 1, instability = 0, relevancy = 0;
  bool flaky = false;
  double flip_rate = 0;
  std::optional<Id> comment_id;
  Millis created = 0;
};
Json ToJson(const StoredResult& r);

struct RunCountersRow {
  results::RunCounters tests;
  int64_t issues_total = 0, issues_new = 0;
  Millis processed = 0;
};
Json ToJson(const RunCountersRow& c);

class ResultStore {
 public:
  explicit ResultStore(store::Db& db) : db_(db) {}

  // --- ingestion (ingest.cc) ---
  // Stores one batch of a step's results and issues unless (job, step, seq) was stored
  // before; returns false for such a repeat. Run inside a transaction.
  Result<bool> StoreBatch(const JobScope& scope, int64_t step_idx, int64_t seq,
                          const std::vector<results::ResultRecord>& records,
                          const std::vector<results::Issue>& issues,
                          const std::vector<Json>& extras, Millis now);

  // --- analysis (analyze.cc) ---
  // Analyses the not yet analysed results and issues of the run's current jobs against
  // history, closes comments of tests that passed, and stores the run's counters. Run
  // inside a transaction.
  Result<RunCountersRow> AnalyzeRun(const Run& run, const Flow& flow, Millis now);

  // --- queries (queries.cc) ---
  Result<std::optional<RunCountersRow>> Counters(Id run_id);
  Result<StoredResult> GetResult(Id id);
  // Results of the run's current (not covered) jobs; returns the page and the total.
  Result<std::pair<std::vector<StoredResult>, int64_t>> ListRunResults(Id run_id,
                                                                       const ResultFilter& f);
  // Results of the same test on the same branch, group and system, newest first: the CI
  // history, plus `of` itself when it is a DEV result.
  Result<std::pair<std::vector<StoredResult>, int64_t>> History(const StoredResult& of,
                                                                int64_t limit, int64_t offset);
  // All current results of a flow (for comparison).
  Result<std::vector<StoredResult>> FlowResults(Id flow_id);
  Result<std::vector<Json>> ListIssues(Id run_id, const Json& filter);

  // --- comments (comments.cc) ---
  // Adds an entry to the test's open comment on the result's branch (opening one if none),
  // attaches it to the result and recomputes the result's relevancy. state: CommentState.
  Result<Json> AddComment(Id result_id, const std::string& author, const std::string& text,
                          int state, Millis now);
  // The comment thread attached to the result, or null.
  Result<Json> CommentOf(const StoredResult& r);

 private:
  // The steps of AnalyzeRun (analyze.cc).
  struct OpenComments;
  Result<store::QueryResult> PreviousRuns(const Run& run, const Flow& flow);
  Status AnalyzeJobResults(Id job_id, Id group_id, const std::string& system,
                           const store::QueryResult& prev_runs, const Flow& flow,
                           OpenComments& comments);
  Status AgeJobIssues(Id job_id, Id group_id, const std::string& system,
                      const std::string& job_name, const store::QueryResult& prev_runs);
  Result<RunCountersRow> StoreRunCounters(const Run& run, Millis now);

  store::Db& db_;
};

// Names of the codes as shown in the API: change and comment states, issue types.
std::string_view ChangeName(int change);
std::optional<int> ChangeFromName(std::string_view name);
std::string_view CommentStateName(int state);
std::optional<int> CommentStateFromName(std::string_view name);
std::string_view IssueTypeName(int type);

}  // namespace kraken::resultdb
