#include "artifacts/artifact_store.h"

#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <map>

#include "core/glob.h"

namespace kraken::artifacts {
namespace {

constexpr const char* kColumns =
    "id, kind, branch_id, flow_id, run_id, job_id, flow_kind, cache_key, scope, path, size, "
    "received, complete, public, report_entry, created";

std::string RandomToken() {
  unsigned char bytes[24] = {};
  std::ifstream("/dev/urandom", std::ios::binary)
      .read(reinterpret_cast<char*>(bytes), sizeof bytes);
  std::string out;
  for (unsigned char b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

}  // namespace

Json ToJson(const ArtifactRecord& a) {
  return {{"id", a.id},
          {"kind", a.kind},
          {"flow_id", a.flow_id},
          {"run_id", a.run_id},
          {"job_id", a.job_id},
          {"path", a.path},
          {"size", a.size},
          {"complete", a.complete},
          {"public", a.is_public},
          {"report_entry", a.report_entry},
          {"key", a.cache_key},
          {"created", a.created}};
}

Result<std::vector<ArtifactRecord>> ArtifactStore::Select(const std::string& where,
                                                          const std::vector<store::Value>& params) {
  KR_ASSIGN(auto q,
            db_.Exec(fmt::format("SELECT {} FROM artifacts WHERE {}", kColumns, where), params));
  std::vector<ArtifactRecord> out;
  for (const auto& r : q.rows) {
    ArtifactRecord a;
    a.id = r.Int(0);
    a.kind = r.Text(1);
    a.branch_id = r.Int(2);
    a.flow_id = r.Int(3);
    a.run_id = r.Int(4);
    a.job_id = r.Int(5);
    a.flow_kind = r.Text(6);
    a.cache_key = r.Text(7);
    a.scope = r.Text(8);
    a.path = r.Text(9);
    a.size = r.Int(10);
    a.received = r.Int(11);
    a.complete = r.Int(12) != 0;
    a.is_public = r.Int(13) != 0;
    a.report_entry = r.Int(14) != 0;
    a.created = r.Int(15);
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<std::pair<ArtifactRecord, std::string>>> ArtifactStore::BeginUploads(
    const ArtifactRecord& common, const std::vector<NewFile>& files,
    const std::string& report_entry, Millis now) {
  std::vector<std::pair<ArtifactRecord, std::string>> out;
  for (const NewFile& f : files) {
    ArtifactRecord a = common;
    a.path = f.path;
    a.size = f.size;
    a.created = now;
    a.report_entry = !report_entry.empty() && GlobMatch(report_entry, f.path);
    a.complete = f.size == 0;
    KR_ASSIGN(auto ins, db_.Exec("INSERT INTO artifacts (kind, branch_id, flow_id, run_id, job_id, "
                                 "flow_kind, cache_key, scope, "
                                 "path, size, received, complete, public, report_entry, created) "
                                 "VALUES (?,?,?,?,?,?,?,?,?,?,0,?,?,?,?) RETURNING id",
                                 {a.kind, a.branch_id, a.flow_id, a.run_id, a.job_id, a.flow_kind,
                                  a.cache_key, a.scope, a.path, a.size, int64_t(a.complete),
                                  int64_t(a.is_public), int64_t(a.report_entry), now}));
    a.id = ins.rows.at(0).Int(0);
    std::string token = RandomToken();
    KR_TRY(db_.Exec("INSERT INTO blob_grants (token, artifact_id, mode, expires) VALUES (?,?,?,?)",
                    {token, a.id, std::string("upload"), now + kUploadGrantLifetime}));
    if (a.complete) KR_TRY(blobs_.WriteAt(a.BlobKey(), 0, ""));
    out.emplace_back(std::move(a), token);
  }
  return out;
}

Result<std::string> ArtifactStore::GrantDownload(Id artifact_id, Millis now) {
  std::string token = RandomToken();
  KR_TRY(db_.Exec("INSERT INTO blob_grants (token, artifact_id, mode, expires) VALUES (?,?,?,?)",
                  {token, artifact_id, std::string("download"), now + kGrantLifetime}));
  return token;
}

Result<ArtifactRecord> ArtifactStore::Redeem(const std::string& token, const std::string& mode,
                                             Millis now) {
  KR_ASSIGN(
      auto q,
      db_.Exec("SELECT artifact_id FROM blob_grants WHERE token = ? AND mode = ? AND expires > ?",
               {token, mode, now}));
  if (q.rows.empty()) return NotFound("unknown or expired " + mode + " URL");
  return Get(q.rows[0].Int(0));
}

Status ArtifactStore::WritePiece(const ArtifactRecord& a, int64_t offset, std::string_view data) {
  if (offset < 0 || offset + static_cast<int64_t>(data.size()) > a.size)
    return Invalid("offset", fmt::format("the piece falls outside the file's {} bytes", a.size));
  KR_TRY(blobs_.WriteAt(a.BlobKey(), static_cast<uint64_t>(offset), data));
  int64_t end = offset + static_cast<int64_t>(data.size());
  KR_TRY(
      db_.Exec("UPDATE artifacts SET received = CASE WHEN received < ? THEN ? ELSE received END, "
               "complete = CASE WHEN ? >= size THEN 1 ELSE complete END WHERE id = ?",
               {end, end, end, a.id}));
  return {};
}

Result<ArtifactRecord> ArtifactStore::Get(Id id) {
  KR_ASSIGN(auto rows, Select("id = ?", {id}));
  if (rows.empty()) return NotFound(fmt::format("artifact {} not found", id));
  return rows[0];
}

Result<std::vector<ArtifactRecord>> ArtifactStore::ListRun(Id run_id) {
  return Select("run_id = ? AND kind = 'artifact' ORDER BY path, id", {run_id});
}

Result<std::vector<ArtifactRecord>> ArtifactStore::ListFlow(Id flow_id) {
  return Select("flow_id = ? AND kind = 'artifact' ORDER BY run_id, path, id", {flow_id});
}

Result<std::vector<ArtifactRecord>> ArtifactStore::FindInFlow(
    Id flow_id, Id except_run_id, const std::vector<std::string>& patterns) {
  KR_ASSIGN(auto all, Select("flow_id = ? AND kind = 'artifact' AND complete = 1 AND run_id <> ? "
                             "ORDER BY run_id DESC, path",
                             {flow_id, except_run_id}));
  std::map<Id, std::vector<ArtifactRecord>, std::greater<>> by_run;
  for (auto& a : all) by_run[a.run_id].push_back(a);
  for (auto& [run, files] : by_run) {
    std::vector<ArtifactRecord> chosen;
    bool all_found = true;
    for (const std::string& p : patterns) {
      bool found = false;
      for (const auto& f : files)
        if (GlobMatch(p, f.path) || f.path.starts_with(p + "/")) {
          found = true;
          bool dup = false;
          for (const auto& c : chosen) dup = dup || c.id == f.id;
          if (!dup) chosen.push_back(f);
        }
      all_found = all_found && found;
    }
    if (all_found) return chosen;
  }
  return NotFound("no earlier run of this flow has artifacts matching '" +
                  (patterns.empty() ? std::string() : patterns[0]) + "'");
}

Result<std::pair<std::string, std::vector<ArtifactRecord>>> ArtifactStore::FindCache(
    Id branch_id, const std::string& scope, const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    KR_ASSIGN(auto newest,
              db_.Exec("SELECT MAX(job_id) FROM artifacts WHERE branch_id = ? AND kind = 'cache' "
                       "AND scope = ? AND cache_key = ? AND complete = 1",
                       {branch_id, scope, key}));
    if (newest.rows.empty() || newest.rows[0].IsNull(0)) continue;
    KR_ASSIGN(
        auto files,
        Select("branch_id = ? AND kind = 'cache' AND scope = ? AND cache_key = ? AND job_id = ? "
               "AND complete = 1 ORDER BY id",
               {branch_id, scope, key, newest.rows[0].Int(0)}));
    return std::make_pair(key, files);
  }
  return std::make_pair(std::string(), std::vector<ArtifactRecord>());
}

Status ArtifactStore::DeleteRecords(const std::vector<ArtifactRecord>& records) {
  for (const auto& a : records) {
    KR_TRY(blobs_.Remove(a.BlobKey()));
    KR_TRY(db_.Exec("DELETE FROM artifacts WHERE id = ?", {a.id}));
  }
  return {};
}

Result<int64_t> ArtifactStore::DeleteOlderThan(Id branch_id, const std::string& flow_kind,
                                               Millis cutoff) {
  KR_ASSIGN(auto old, Select("branch_id = ? AND kind = 'artifact' AND flow_kind = ? AND flow_id IN "
                             "(SELECT id FROM flows WHERE branch_id = ? AND created < ?)",
                             {branch_id, flow_kind, branch_id, cutoff}));
  KR_TRY(DeleteRecords(old));
  return static_cast<int64_t>(old.size());
}

Result<int64_t> ArtifactStore::DeleteCachesOlderThan(Millis cutoff) {
  KR_ASSIGN(auto old, Select("kind = 'cache' AND created < ?", {cutoff}));
  KR_TRY(DeleteRecords(old));
  return static_cast<int64_t>(old.size());
}

Status ArtifactStore::DeleteExpiredGrants(Millis now) {
  KR_TRY(db_.Exec("DELETE FROM blob_grants WHERE expires < ?", {now}));
  return {};
}

}  // namespace kraken::artifacts
