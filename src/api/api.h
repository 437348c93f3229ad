// Route registration for the REST API (/api/v1, for people and scripts) and the agent
// protocol (/agent/v1, for agents). Handlers run on the event loop.
#pragma once

#include <functional>
#include <string>

#include "api/hub.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "exec/engine.h"
#include "http/router.h"
#include "http/server.h"
#include "planner/planner.h"

namespace kraken::api {

struct ApiContext {
  store::Store& store;
  exec::Engine& engine;
  auth::Auth& auth;
  Hub& hub;
  http::Loop& loop;
  const Clock& clock;                   // every "now" of the API
  std::string data_dir;                 // the server's data directory (its key file lives there)
  planner::Planner* planner = nullptr;  // told of stage changes; serves schedules (not owned)
};

void RegisterRestApi(http::Router& router, ApiContext ctx);
void RegisterAgentApi(http::Router& router, ApiContext ctx);

// Wraps a handler so it runs only for a signed-in user (bearer token or session cookie).
using AuthedHandler = std::function<http::Response(http::Request&, const auth::Principal&)>;
http::Handler Authed(ApiContext ctx, AuthedHandler handler, bool admin_only = false);

// A route limit of `max_bytes` for an agent call: a body over the server's default is read
// only when the request bears a known agent's token.
http::BodyLimit AgentBodyLimit(ApiContext ctx, size_t max_bytes);

// The bearer token of a request, or its `kraken_session` cookie.
std::string RequestToken(const http::Request& request);

}  // namespace kraken::api
