// A project's secrets (Kraken CI's Secret), in table project_secrets: name and kind in
// clear, the value sealed by the server's SecretBox. Kinds: "simple" (one value) and
// "ssh-key" (a user name and a key). Values are read back only to build the ctx of a step
// that runs; listings carry names and kinds alone.
//
// Runs its statements on the Db it is given, where the Store is used (the server's event
// loop). Not thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/entities.h"
#include "core/error.h"
#include "core/json.h"
#include "settings/secret_box.h"
#include "store/db.h"

namespace kraken::secrets {

inline constexpr const char* kSimple = "simple";
inline constexpr const char* kSshKey = "ssh-key";

struct SecretInfo {
  Id id = 0;
  Id project_id = 0;
  std::string name;
  std::string kind;
  Millis created = 0, updated = 0;
};

// The value of a secret: `secret` for simple ones, `username` and `key` for ssh-key ones.
struct SecretValue {
  std::string secret;
  std::string username;
  std::string key;
};

struct Secret {
  SecretInfo info;
  SecretValue value;
};

Json ToJson(const SecretInfo& s);

// Checks a request body for a new secret (`name`, `kind`, and its value fields) or an
// update (`name` and the value; the kind stays). Errors name the field.
Result<Secret> SecretFromBody(const Json& body, const std::optional<SecretInfo>& existing);

class ProjectSecrets {
 public:
  ProjectSecrets(store::Db& db, const settings::SecretBox& box) : db_(db), box_(box) {}

  Result<SecretInfo> Create(Id project_id, const Secret& secret, Millis now);
  Result<SecretInfo> Get(Id id);
  Result<std::vector<SecretInfo>> List(Id project_id);
  Status Update(Id id, const Secret& secret, Millis now);
  Status Delete(Id id);
  // Every secret of the project with its value opened.
  Result<std::vector<Secret>> Open(Id project_id);

  // The sealed copy of a step's expanded fields (see step_secret_fields in the migration).
  Status KeepStepFields(Id step_id, const Json& fields);
  Result<std::optional<Json>> StepFields(Id step_id);

 private:
  store::Db& db_;
  const settings::SecretBox& box_;
};

// Lists of secrets without a SecretBox: names and kinds are not secret.
Result<std::vector<SecretInfo>> ListSecretInfo(store::Db& db, Id project_id);

}  // namespace kraken::secrets
