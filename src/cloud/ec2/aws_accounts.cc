#include "cloud/ec2/aws_accounts.h"

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

}  // namespace kraken::ec2
