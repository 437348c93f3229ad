-- Project secrets (Kraken CI's Secret: kind simple or ssh-key). The values are sealed with
-- the server's key (libsodium secretbox, <data-dir>/server.key) and never leave the server
-- except to the agent that runs a step using them.
CREATE TABLE project_secrets (
  id {pk},
  project_id BIGINT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  sealed TEXT NOT NULL,
  created BIGINT NOT NULL,
  updated BIGINT NOT NULL,
  UNIQUE (project_id, name));

-- The expanded fields of a step handed out with secret values in them, sealed: the steps
-- table keeps them masked, and a step handed out again after a lost answer needs the real ones.
CREATE TABLE step_secret_fields (
  step_id BIGINT PRIMARY KEY REFERENCES steps(id) ON DELETE CASCADE,
  sealed TEXT NOT NULL);
