// Store: every record Kraken keeps, read and written through typed calls over one Db, so
// the same code serves SQLite and PostgreSQL. Each call is one statement; callers group
// calls that must land together in a Transaction (see db.h).
//
// Not thread-safe: owned by the server's event loop, like its Db.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/entities.h"
#include "core/error.h"
#include "store/db.h"

namespace kraken::store {

struct TokenRecord {
  Id id = 0;
  Id user_id = 0;
  std::string kind;  // "session" or "api"
  std::string name;
  Millis created = 0, expires = 0;  // expires 0 = never
};

struct RegistrationToken {
  Id id = 0;
  std::optional<Id> group_id;
  std::optional<Id> machine_id;
  Millis expires = 0;
  bool used = false;
};

struct LogChunk {
  int64_t step_idx = 0;
  int64_t seq = 0;
  std::string data;
};

class Store {
 public:
  // Takes ownership of an open connection and applies migrations.
  static Result<std::unique_ptr<Store>> Open(std::unique_ptr<Db> db);

  Db& db() { return *db_; }

  // Settings: small named values (server id, server URL, keys).
  Result<std::optional<std::string>> GetSetting(const std::string& name);
  Status SetSetting(const std::string& name, const std::string& value);

  // Users and their tokens (UI sessions and named API tokens), stored as hashes.
  Result<User> CreateUser(const std::string& name, const std::string& password_hash, bool admin);
  Result<std::optional<User>> FindUser(const std::string& name);
  Result<User> GetUser(Id id);
  Result<int64_t> CountUsers();
  Result<Id> CreateToken(Id user_id, const std::string& kind, const std::string& name,
                         const std::string& token_hash, Millis created, Millis expires);
  Result<std::optional<TokenRecord>> FindToken(const std::string& token_hash);
  Result<std::vector<TokenRecord>> ListTokens(Id user_id, const std::string& kind);
  Status DeleteToken(Id id, Id user_id);

  // Projects, branches, stages.
  Result<Project> CreateProject(const Project& p);
  Result<Project> GetProject(Id id);
  Result<std::optional<Project>> FindProject(const std::string& name);
  Result<std::vector<Project>> ListProjects();
  Status SaveProject(const Project& p);
  Status DeleteProject(Id id);

  Result<Branch> CreateBranch(const Branch& b);
  Result<Branch> GetBranch(Id id);
  Result<std::optional<Branch>> FindBranch(Id project_id, const std::string& name);
  Result<std::vector<Branch>> ListBranches(Id project_id);
  Status SaveBranch(const Branch& b);
  Status DeleteBranch(Id id);
  // Increments the branch's flow sequences; returns {shared, own}.
  Result<std::pair<int64_t, int64_t>> NextFlowSeq(Id branch_id, FlowKind kind);

  Result<Stage> CreateStage(const Stage& s);
  Result<Stage> GetStage(Id id);
  // The stage's name, description and flags, without its code and schema: for the ctx of
  // every step, where parsing a large schema each time would cost more than the step.
  Result<Stage> GetStageInfo(Id id);
  Result<std::vector<Stage>> ListStages(Id branch_id);
  Status SaveStage(const Stage& s);
  Status DeleteStage(Id id);

  // Flows, runs, jobs, steps.
  Result<Flow> CreateFlow(const Flow& f);
  Result<Flow> GetFlow(Id id);
  Result<std::vector<Flow>> ListFlows(Id branch_id, std::optional<FlowKind> kind, int64_t limit,
                                      int64_t offset);
  Result<int64_t> CountFlows(Id branch_id, std::optional<FlowKind> kind);
  Status SaveFlow(const Flow& f);

  Result<Run> CreateRun(const Run& r);
  // Runs are read without their evaluated schema, which can be large and is fixed at
  // creation: GetRunSchema reads it; SaveRun never writes it.
  Result<Run> GetRun(Id id);
  Result<Json> GetRunSchema(Id id);
  Result<std::vector<Run>> ListRuns(Id flow_id);
  // The ids of every run in `state`, oldest first.
  Result<std::vector<Id>> RunIdsInState(RunState state);
  Status SaveRun(const Run& r);

  // Creates the job and its steps (their ids are filled in).
  Result<Job> CreateJob(Job job, std::vector<Step>& steps);
  Result<Job> GetJob(Id id);
  Result<std::vector<Job>> ListJobs(Id run_id, bool include_covered = true);
  // Queued jobs with no agent, oldest run first, then oldest job; `after` continues a
  // previous page from that (run_id, id).
  Result<std::vector<Job>> ListQueuedJobs(int64_t limit, std::pair<Id, Id> after = {0, 0});
  // The queued jobs of one agents group, in the same order.
  Result<std::vector<Job>> ListQueuedJobsInGroup(Id group_id);
  struct JobCounts {
    int64_t total = 0, unfinished = 0, erred = 0;
  };
  // Counts a run's current (not covered) jobs without loading them.
  Result<JobCounts> CountRunJobs(Id run_id);
  // Whether any job of the run (not covered by a rerun) has yet to complete: asked at
  // every job's end, so it reads an index entry rather than counting the run's jobs.
  Result<bool> RunHasUnfinishedJobs(Id run_id);
  // Jobs handed to an agent and not yet completed.
  Result<std::vector<Job>> ListActiveJobs();
  Status SaveJob(const Job& j);

  Result<std::vector<Step>> ListSteps(Id job_id);
  Status SaveStep(const Step& s);

  // Logs: chunks keyed by (job, step, seq); a repeated seq is ignored (returns false).
  Result<bool> AppendLog(Id job_id, int64_t step_idx, int64_t seq, const std::string& data,
                         Millis now);
  // All chunks of a job (step_idx < 0) or of one step, in order.
  Result<std::vector<LogChunk>> ReadLog(Id job_id, int64_t step_idx);
  Status DeleteLogs(Id job_id);

  // Agents, groups, registration tokens.
  Result<Agent> CreateAgent(const Agent& a, const std::string& token_hash);
  // Without `with_host_info` the agent's host_info is left null (not read, not parsed): the
  // hot paths of the agent protocol never need it, and SaveAgent keeps the stored one.
  Result<Agent> GetAgent(Id id, bool with_host_info = true);
  // The agent holding a token, read without its host_info.
  Result<std::optional<Agent>> FindAgentByToken(const std::string& token_hash);
  Result<std::vector<Agent>> ListAgents(std::optional<bool> authorized);
  // Writes every field; a null host_info leaves the stored one as it is.
  Status SaveAgent(const Agent& a);
  // The cheap sign of life: last_seen now and not lost. True if the agent was lost.
  Result<bool> TouchAgent(Id id, Millis now);
  Status DeleteAgent(Id id);
  Status SetAgentGroups(Id agent_id, const std::vector<Id>& group_ids);

  Result<AgentsGroup> CreateGroup(const AgentsGroup& g);
  Result<AgentsGroup> GetGroup(Id id);
  Result<std::optional<AgentsGroup>> FindGroup(const std::string& name);
  Result<std::vector<AgentsGroup>> ListGroups();
  Status SaveGroup(const AgentsGroup& g);
  Status DeleteGroup(Id id);

  Result<Id> CreateRegistrationToken(const std::string& token_hash, std::optional<Id> group_id,
                                     std::optional<Id> machine_id, Millis expires, Millis now);
  // Marks the token used and returns it, or NotFound/Conflict if unknown, used or expired.
  Result<RegistrationToken> ConsumeRegistrationToken(const std::string& token_hash, Millis now);

 private:
  explicit Store(std::unique_ptr<Db> db) : db_(std::move(db)) {}
  Result<QueryResult> Q(std::string_view sql, const std::vector<Value>& params = {}) {
    return db_->Exec(sql, params);
  }
  Result<Id> Insert(std::string_view sql, const std::vector<Value>& params);

  std::unique_ptr<Db> db_;
};

// Helpers for the Store's .cc files.
Json ParseJsonColumn(const std::string& text);
Value OptId(const std::optional<Id>& id);
std::optional<Id> OptIdOf(const Row& row, size_t i);

}  // namespace kraken::store
