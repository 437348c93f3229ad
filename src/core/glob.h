// Glob patterns over relative paths, as artifact and report fields use them: `*` and `?`
// match within one path segment, `**` any number of whole segments (including none).
// Pure function; thread-safe.
#pragma once

#include <string_view>

namespace kraken {

bool GlobMatch(std::string_view pattern, std::string_view path);

}  // namespace kraken
