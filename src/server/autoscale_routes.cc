#include "server/autoscale_routes.h"

#include "api/json_io.h"

namespace kraken::server {

void RegisterAutoscaleRoutes(http::Router& r, api::ApiContext ctx,
                             autoscale::Autoscaler& autoscaler) {
  auto& store = ctx.store;
  r.Get("/api/v1/groups/{id}/machines",
        api::Authed(ctx, [&store, &autoscaler](http::Request& req, const auth::Principal&) {
          auto id = api::IdParam(req, "id");
          if (!id) return api::ErrorResponse(id.error());
          auto group = store.GetGroup(*id);
          if (!group) return api::ErrorResponse(group.error());
          // Live machines, then the most recent ended ones, so the page shows what failed.
          bool all = req.Query("all") == "true" || req.Query("all") == "1";
          auto machines = autoscaler.machines().List(*id, true, all ? 1000 : 100);
          if (!machines) return api::ErrorResponse(machines.error());
          Millis now = RealClock::Instance().Now();
          Json out = Json::array();
          for (const auto& m : *machines)
            if (all || autoscale::IsAlive(m.state) || out.size() < 20)
              out.push_back(autoscale::ToJson(m, now));
          return api::JsonResponse(200, out);
        }));
  r.Get("/metrics", [&autoscaler](http::Request&) {
    return http::Response::Text(200, autoscaler.RenderMetrics(),
                                "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace kraken::server
