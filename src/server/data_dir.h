// The server's data dir (database, blobs, server.key, cli.json) is for the server's user
// alone: it is created 0700, the process's umask becomes 077 so that every file and folder
// the server writes there (the SQLite database and its -wal/-shm, blobs, keys) is 0600/0700,
// and a data dir left readable by an older version is tightened on start.
//
// Not thread-safe (the umask is the process's): call once, before anything is written.
#pragma once

#include <string>

#include "core/error.h"

namespace kraken::server {

Status PrepareDataDir(const std::string& dir);

}  // namespace kraken::server
