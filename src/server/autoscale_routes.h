// Routes of the autoscaler: a group's machines (GET /api/v1/groups/{id}/machines, signed
// in) and the Prometheus metrics (GET /metrics, no auth, as scrapers expect).
#pragma once

#include "api/api.h"
#include "autoscale/autoscaler.h"

namespace kraken::server {

void RegisterAutoscaleRoutes(http::Router& router, api::ApiContext ctx,
                             autoscale::Autoscaler& autoscaler);

}  // namespace kraken::server
