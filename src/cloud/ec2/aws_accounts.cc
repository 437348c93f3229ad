#include "cloud/ec2/aws_accounts.h"

#include <regex>

namespace kraken::ec2 {

AwsAccount AwsSettings::Account() const {
  return {{access_key, secret_access_key, session_token}, endpoint};
}

Result<std::optional<AwsSettings>> CloudAccounts::GetAws() {
  KR_ASSIGN(auto r, db_.Exec("SELECT access_key, secret_sealed, session_token_sealed, endpoint, "
                             "region, updated FROM cloud_accounts WHERE provider = ?",
                             {std::string("aws")}));
  if (r.rows.empty()) return std::optional<AwsSettings>();
  const store::Row& row = r.rows.front();
  AwsSettings s;
  s.access_key = row.Text(0);
  KR_ASSIGN(s.secret_access_key, box_.Open(row.Text(1)));
  KR_ASSIGN(s.session_token, box_.Open(row.Text(2)));
  s.endpoint = row.Text(3);
  s.region = row.Text(4);
  s.updated = row.Int(5);
  return std::optional<AwsSettings>(std::move(s));
}

Status CloudAccounts::PutAws(const AwsSettings& s, Millis now) {
  KR_TRY(db_.Exec(
      "INSERT INTO cloud_accounts (provider, access_key, secret_sealed, session_token_sealed, "
      "endpoint, region, updated) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (provider) DO UPDATE "
      "SET access_key = excluded.access_key, secret_sealed = excluded.secret_sealed, "
      "session_token_sealed = excluded.session_token_sealed, endpoint = excluded.endpoint, "
      "region = excluded.region, updated = excluded.updated",
      {std::string("aws"), s.access_key, box_.Seal(s.secret_access_key), box_.Seal(s.session_token),
       s.endpoint, s.region, now}));
  return {};
}

bool ValidRegion(const std::string& region) {
  static const std::regex kRegion("[a-z]{2}(-[a-z]+)+-[0-9]+");
  return std::regex_match(region, kRegion);
}

Result<AwsSettings> ApplyAwsUpdate(AwsSettings v, const Json& update) {
  if (!update.is_object()) return Invalid("body", "must be a JSON object");
  auto access_key = update.find("access_key");
  if (access_key == update.end() || !access_key->is_string())
    return Invalid("access_key", "must be a string");
  static const std::regex kAccessKey("[A-Z0-9]{16,128}");
  if (!std::regex_match(access_key->get_ref<const std::string&>(), kAccessKey))
    return Invalid("access_key", "access_key must be 16 to 128 capital letters and digits (AKIA…)");
  for (const char* field : {"secret_access_key", "session_token", "endpoint", "region"}) {
    auto it = update.find(field);
    if (it != update.end() && !it->is_string() && !it->is_null())
      return Invalid(field, std::string(field) + " must be a string");
  }
  auto text = [&update](const char* field) {
    const Json& value = update.at(field);
    return value.is_string() ? value.get<std::string>() : std::string();
  };
  if (access_key->get_ref<const std::string&>() != v.access_key) v.secret_access_key.clear();
  v.access_key = access_key->get<std::string>();
  if (auto it = update.find("secret_access_key"); it != update.end() && it->is_string())
    v.secret_access_key = it->get<std::string>();
  if (v.secret_access_key.empty())
    return Invalid("secret_access_key", "secret_access_key is required");
  if (update.contains("session_token")) v.session_token = text("session_token");
  if (update.contains("endpoint")) {
    v.endpoint = text("endpoint");
    while (v.endpoint.ends_with('/')) v.endpoint.pop_back();
    if (!v.endpoint.empty() && !v.endpoint.starts_with("http://") &&
        !v.endpoint.starts_with("https://"))
      return Invalid("endpoint", "endpoint must start with http:// or https://");
  }
  if (update.contains("region")) {
    v.region = text("region");
    if (!v.region.empty() && !ValidRegion(v.region))
      return Invalid("region", "region is not a region name (e.g. us-east-1)");
  }
  return v;
}

}  // namespace kraken::ec2
