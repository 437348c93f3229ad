// Serves the built web UI from a folder: files by path, and index.html for every other
// path that is not an API or agent route (the UI routes with the History API). Also serves
// the agent installer: the self-contained kraken-agent at /install/agent, with its SHA-256
// (404 saying how to get one when the server has none).
//
// Only files inside the folder are served: a path with an empty, "." or ".." segment, a
// backslash or a NUL byte is refused with 400, and a symlink that leads out of the folder
// is not followed. Every UI response carries the headers of AddUiSecurityHeaders.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.h"
#include "http/router.h"
#include "server/agent_binary.h"

namespace kraken::server {

// What the UI may load: its own scripts, styles (and the inline styles its components set),
// images, and API; nothing may frame it.
inline constexpr std::string_view kUiContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// The regular file that `request_path` (decoded, e.g. "/assets/app.js") names inside
// `root`, symlinks resolved. kInvalid for a path no browser sends for a file (see above);
// kNotFound when there is no such file inside the root.
Result<std::filesystem::path> ResolveUiFile(const std::filesystem::path& root,
                                            std::string_view request_path);

void RegisterStaticRoutes(http::Router& router, const std::string& ui_dir);
void RegisterInstallRoutes(http::Router& router, const AgentBinary& agent);

// Hex SHA-256 of a file's bytes, or "" when it cannot be read.
std::string FileSha256(const std::string& path);

}  // namespace kraken::server
