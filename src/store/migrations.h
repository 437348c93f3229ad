// Versioned schema migrations, applied in order at start-up inside one transaction each.
// The SQL is written once for both backends; `{pk}` stands for the dialect's
// auto-incrementing primary key.
#pragma once

#include "store/db.h"

namespace kraken::store {

// Brings the database to the newest schema version. Safe to call on every start.
Status Migrate(Db& db);

// The newest schema version this build knows.
int LatestSchemaVersion();

}  // namespace kraken::store
