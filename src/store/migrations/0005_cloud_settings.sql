-- Cloud provider accounts (Settings → Cloud). Secrets are sealed with the server's key
-- (libsodium secretbox; the key lives in <data-dir>/server.key, never in the database).
CREATE TABLE cloud_accounts (
  provider TEXT PRIMARY KEY,
  access_key TEXT NOT NULL DEFAULT '',
  secret_sealed TEXT NOT NULL DEFAULT '',
  session_token_sealed TEXT NOT NULL DEFAULT '',
  endpoint TEXT NOT NULL DEFAULT '',
  region TEXT NOT NULL DEFAULT '',
  updated BIGINT NOT NULL);
