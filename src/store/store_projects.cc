// Projects, branches and stages.
#include "store/store.h"

namespace kraken::store {
namespace {

constexpr const char* kBranchCols =
    "id, project_id, name, branch_name, env, flow_seq, ci_seq, dev_seq, created";
constexpr const char* kStageCols =
    "id, branch_id, name, description, enabled, schema_format, schema_code, schema_json, "
    "created, updated";

Project ProjectOf(const Row& r) { return Project{r.Int(0), r.Text(1), r.Text(2), r.Int(3)}; }

Branch BranchOf(const Row& r) {
  Branch b;
  b.id = r.Int(0);
  b.project_id = r.Int(1);
  b.name = r.Text(2);
  b.branch_name = r.Text(3);
  b.env = ParseJsonColumn(r.Text(4));
  b.flow_seq = r.Int(5);
  b.ci_seq = r.Int(6);
  b.dev_seq = r.Int(7);
  b.created = r.Int(8);
  return b;
}

Stage StageOf(const Row& r) {
  Stage s;
  s.id = r.Int(0);
  s.branch_id = r.Int(1);
  s.name = r.Text(2);
  s.description = r.Text(3);
  s.enabled = r.Int(4) != 0;
  s.schema_format = r.Text(5);
  s.schema_code = r.Text(6);
  s.schema = ParseJsonColumn(r.Text(7));
  s.created = r.Int(8);
  s.updated = r.Int(9);
  return s;
}

std::string Sel(const char* cols, const char* rest) {
  return std::string("SELECT ") + cols + " " + rest;
}

}  // namespace

Result<Project> Store::CreateProject(const Project& p) {
  Project out = p;
  KR_ASSIGN(out.id, Insert("INSERT INTO projects (name, description, created) VALUES (?, ?, ?) "
                           "RETURNING id",
                           {p.name, p.description, p.created}));
  return out;
}

Result<Project> Store::GetProject(Id id) {
  KR_ASSIGN(auto r, Q("SELECT id, name, description, created FROM projects WHERE id = ?", {id}));
  if (r.rows.empty()) return NotFound("project " + std::to_string(id) + " not found");
  return ProjectOf(r.rows[0]);
}

Result<std::optional<Project>> Store::FindProject(const std::string& name) {
  KR_ASSIGN(auto r,
            Q("SELECT id, name, description, created FROM projects WHERE name = ?", {name}));
  if (r.rows.empty()) return std::optional<Project>();
  return std::optional<Project>(ProjectOf(r.rows[0]));
}

Result<std::vector<Project>> Store::ListProjects() {
  KR_ASSIGN(auto r, Q("SELECT id, name, description, created FROM projects ORDER BY name"));
  std::vector<Project> out;
  for (const Row& row : r.rows) out.push_back(ProjectOf(row));
  return out;
}

Status Store::SaveProject(const Project& p) {
  KR_TRY(Q("UPDATE projects SET name = ?, description = ? WHERE id = ?",
           {p.name, p.description, p.id}));
  return {};
}

Status Store::DeleteProject(Id id) {
  KR_ASSIGN(auto r, Q("DELETE FROM projects WHERE id = ?", {id}));
  if (r.affected == 0) return NotFound("project " + std::to_string(id) + " not found");
  return {};
}

Result<Branch> Store::CreateBranch(const Branch& b) {
  Branch out = b;
  KR_ASSIGN(out.id, Insert("INSERT INTO branches (project_id, name, branch_name, env, created) "
                           "VALUES (?, ?, ?, ?, ?) RETURNING id",
                           {b.project_id, b.name, b.branch_name, b.env.dump(), b.created}));
  return out;
}

Result<Branch> Store::GetBranch(Id id) {
  KR_ASSIGN(auto r, Q(Sel(kBranchCols, "FROM branches WHERE id = ?"), {id}));
  if (r.rows.empty()) return NotFound("branch " + std::to_string(id) + " not found");
  return BranchOf(r.rows[0]);
}

Result<std::optional<Branch>> Store::FindBranch(Id project_id, const std::string& name) {
  KR_ASSIGN(auto r, Q(Sel(kBranchCols, "FROM branches WHERE project_id = ? AND name = ?"),
                      {project_id, name}));
  if (r.rows.empty()) return std::optional<Branch>();
  return std::optional<Branch>(BranchOf(r.rows[0]));
}

Result<std::vector<Branch>> Store::ListBranches(Id project_id) {
  KR_ASSIGN(auto r,
            Q(Sel(kBranchCols, "FROM branches WHERE project_id = ? ORDER BY name"), {project_id}));
  std::vector<Branch> out;
  for (const Row& row : r.rows) out.push_back(BranchOf(row));
  return out;
}

Status Store::SaveBranch(const Branch& b) {
  KR_TRY(Q("UPDATE branches SET name = ?, branch_name = ?, env = ? WHERE id = ?",
           {b.name, b.branch_name, b.env.dump(), b.id}));
  return {};
}

Status Store::DeleteBranch(Id id) {
  KR_ASSIGN(auto r, Q("DELETE FROM branches WHERE id = ?", {id}));
  if (r.affected == 0) return NotFound("branch " + std::to_string(id) + " not found");
  return {};
}

Result<std::pair<int64_t, int64_t>> Store::NextFlowSeq(Id branch_id, FlowKind kind) {
  const char* own = kind == FlowKind::kCi ? "ci_seq" : "dev_seq";
  KR_ASSIGN(auto r, Q(std::string("UPDATE branches SET flow_seq = flow_seq + 1, ") + own + " = " +
                          own + " + 1 WHERE id = ? RETURNING flow_seq, " + own,
                      {branch_id}));
  if (r.rows.empty()) return NotFound("branch " + std::to_string(branch_id) + " not found");
  return std::make_pair(r.rows[0].Int(0), r.rows[0].Int(1));
}

Result<Stage> Store::CreateStage(const Stage& s) {
  Stage out = s;
  KR_ASSIGN(out.id,
            Insert("INSERT INTO stages (branch_id, name, description, enabled, schema_format, "
                   "schema_code, schema_json, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                   "RETURNING id",
                   {s.branch_id, s.name, s.description, int64_t{s.enabled}, s.schema_format,
                    s.schema_code, s.schema.dump(), s.created, s.updated}));
  return out;
}

Result<Stage> Store::GetStage(Id id) {
  KR_ASSIGN(auto r, Q(Sel(kStageCols, "FROM stages WHERE id = ?"), {id}));
  if (r.rows.empty()) return NotFound("stage " + std::to_string(id) + " not found");
  return StageOf(r.rows[0]);
}

Result<Stage> Store::GetStageInfo(Id id) {
  KR_ASSIGN(auto r, Q("SELECT id, branch_id, name, description, enabled, schema_format, '', "
                      "'{}', created, updated FROM stages WHERE id = ?",
                      {id}));
  if (r.rows.empty()) return NotFound("stage " + std::to_string(id) + " not found");
  return StageOf(r.rows[0]);
}

Result<std::vector<Stage>> Store::ListStages(Id branch_id) {
  KR_ASSIGN(auto r, Q(Sel(kStageCols, "FROM stages WHERE branch_id = ? ORDER BY id"), {branch_id}));
  std::vector<Stage> out;
  for (const Row& row : r.rows) out.push_back(StageOf(row));
  return out;
}

Status Store::SaveStage(const Stage& s) {
  KR_TRY(
      Q("UPDATE stages SET name = ?, description = ?, enabled = ?, schema_format = ?, "
        "schema_code = ?, schema_json = ?, updated = ? WHERE id = ?",
        {s.name, s.description, int64_t{s.enabled}, s.schema_format, s.schema_code, s.schema.dump(),
         s.updated, s.id}));
  return {};
}

Status Store::DeleteStage(Id id) {
  KR_ASSIGN(auto r, Q("DELETE FROM stages WHERE id = ?", {id}));
  if (r.affected == 0) return NotFound("stage " + std::to_string(id) + " not found");
  return {};
}

}  // namespace kraken::store
