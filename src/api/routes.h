// Internal: the route groups that RegisterRestApi puts together.
#pragma once

#include "api/api.h"

namespace kraken::api {

void RegisterExecRoutes(http::Router& router, ApiContext ctx);
void RegisterAgentsRoutes(http::Router& router, ApiContext ctx);

}  // namespace kraken::api
