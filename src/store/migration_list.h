// The schema migrations compiled into the binary: one per src/store/migrations/NNNN_name.sql
// file, in version order (generated at build time by embed_migrations.cmake).
#pragma once

#include <cstddef>

namespace kraken::store {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

extern const Migration kMigrations[];
extern const size_t kMigrationCount;

}  // namespace kraken::store
