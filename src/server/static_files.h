// Serves the built web UI from a folder: files by path, and index.html for every other
// path that is not an API or agent route (the UI routes with the History API). Also serves
// the agent installer: this very binary at /install/agent, with its SHA-256.
#pragma once

#include <string>

#include "http/router.h"

namespace kraken::server {

void RegisterStaticRoutes(http::Router& router, const std::string& ui_dir);
void RegisterInstallRoutes(http::Router& router);

// Hex SHA-256 of a file's bytes, or "" when it cannot be read.
std::string FileSha256(const std::string& path);

}  // namespace kraken::server
