// The AWS account of Settings → Cloud, in table cloud_accounts: the access key id and
// endpoint in clear, the secret access key and session token sealed by a SecretBox.
//
// Runs its statements on the Db it is given: use it where the Store is used (the server's
// event loop). Not thread-safe.
#pragma once

#include <optional>
#include <string>

#include "cloud/ec2/ec2_driver.h"
#include "core/clock.h"
#include "settings/secret_box.h"
#include "store/db.h"

namespace kraken::ec2 {

struct AwsSettings {
  std::string access_key;
  std::string secret_access_key;  // opened; never sent back by the API
  std::string session_token;      // opened; optional
  std::string endpoint;           // empty: AWS itself
  std::string region;             // default region for Test Access and the lists
  Millis updated = 0;

  AwsAccount Account() const;
};

// Whether `region` looks like an AWS region name (us-east-1, eu-central-2, ...).
bool ValidRegion(const std::string& region);

// The settings after an update from Settings → Cloud (a JSON object: access_key required;
// secret_access_key, session_token, endpoint, region optional). A secret left out keeps its
// stored value, as the UI never has it to send back, unless the access key changes; null
// clears an optional field. An invalid field is an Error naming it.
Result<AwsSettings> ApplyAwsUpdate(AwsSettings current, const Json& update);

class CloudAccounts {
 public:
  CloudAccounts(store::Db& db, const settings::SecretBox& box) : db_(db), box_(box) {}

  // Nullopt when no AWS account was ever saved.
  Result<std::optional<AwsSettings>> GetAws();
  Status PutAws(const AwsSettings& settings, Millis now);

 private:
  store::Db& db_;
  const settings::SecretBox& box_;
};

}  // namespace kraken::ec2
