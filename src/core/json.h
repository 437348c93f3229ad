// The project's one JSON library: nlohmann-json, under a short name.
#pragma once

#include <nlohmann/json.hpp>

namespace kraken {
using Json = nlohmann::json;
}  // namespace kraken
