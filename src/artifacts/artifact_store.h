// ArtifactStore: records of artifact and cache files (the bytes live in a BlobStore under
// "<kind>/<id>"), the short-lived tokens that let an agent upload or download one file, and
// the lookups the tools need: the artifacts of earlier runs of a flow, the newest cache entry
// for a key. Each call is a few statements; not thread-safe (the server's event loop owns it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "artifacts/blob_store.h"
#include "core/entities.h"
#include "core/error.h"
#include "store/db.h"

namespace kraken::artifacts {

struct ArtifactRecord {
  Id id = 0;
  std::string kind;  // "artifact" or "cache"
  Id branch_id = 0, flow_id = 0, run_id = 0, job_id = 0;
  std::string flow_kind, cache_key, scope, path;
  int64_t size = 0, received = 0;
  bool complete = false, is_public = false, report_entry = false;
  Millis created = 0;
  std::string BlobKey() const { return kind + "/" + std::to_string(id); }
};
Json ToJson(const ArtifactRecord& a);

struct NewFile {
  std::string path;
  int64_t size = 0;
};

// Grants last this long: enough to move a large file, short enough to be useless later.
inline constexpr Millis kGrantLifetime = 30 * 60 * 1000;
// An upload URL: shorter, and the agent API also refuses it once its job is over.
inline constexpr Millis kUploadGrantLifetime = 15 * 60 * 1000;

class ArtifactStore {
 public:
  ArtifactStore(store::Db& db, BlobStore& blobs) : db_(db), blobs_(blobs) {}
  BlobStore& blobs() { return blobs_; }

  // Records files about to be uploaded and returns, per file, its record and an upload token.
  Result<std::vector<std::pair<ArtifactRecord, std::string>>> BeginUploads(
      const ArtifactRecord& common, const std::vector<NewFile>& files,
      const std::string& report_entry, Millis now);
  // A download token for a complete file.
  Result<std::string> GrantDownload(Id artifact_id, Millis now);
  // The file a token grants `mode` ("upload"/"download") access to; NotFound when the token is
  // unknown, expired or for the other mode.
  Result<ArtifactRecord> Redeem(const std::string& token, const std::string& mode, Millis now);
  // Writes a piece; the record is complete once `size` bytes arrived.
  Status WritePiece(const ArtifactRecord& a, int64_t offset, std::string_view data);

  Result<ArtifactRecord> Get(Id id);
  Result<std::vector<ArtifactRecord>> ListRun(Id run_id);
  Result<std::vector<ArtifactRecord>> ListFlow(Id flow_id);
  // Complete artifacts of the newest other run of the flow that holds a match for every
  // pattern; NotFound naming the first pattern no run can satisfy.
  Result<std::vector<ArtifactRecord>> FindInFlow(Id flow_id, Id except_run_id,
                                                 const std::vector<std::string>& patterns);
  // The newest job's complete entries for the first key that has any; empty on a miss.
  Result<std::pair<std::string, std::vector<ArtifactRecord>>> FindCache(
      Id branch_id, const std::string& scope, const std::vector<std::string>& keys);

  // Deletes artifacts of flows created before the cutoff (by kind), with their blobs; also
  // expired grants. Returns how many artifacts were removed.
  Result<int64_t> DeleteOlderThan(Id branch_id, const std::string& flow_kind, Millis cutoff);
  Result<int64_t> DeleteCachesOlderThan(Millis cutoff);
  Status DeleteExpiredGrants(Millis now);

 private:
  Result<std::vector<ArtifactRecord>> Select(const std::string& where,
                                             const std::vector<store::Value>& params);
  Status DeleteRecords(const std::vector<ArtifactRecord>& records);

  store::Db& db_;
  BlobStore& blobs_;
};

}  // namespace kraken::artifacts
