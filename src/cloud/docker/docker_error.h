// How Docker Engine API failures become Kraken errors. The engine answers an error with a
// status and a body {"message": "..."}; the status decides the code:
//   400 kInvalid, 401 kUnauthorized, 403 kForbidden, 404 kNotFound, 409 kConflict,
//   5xx kUnavailable (the engine or its runtime is in trouble: a retry may succeed),
//   anything else kInternal.
// Podman answers some permanent failures with 500 where Docker says 409 or 404: a name in
// use ("that name is already in use") and an action the container's state forbids
// ("container state improper") become kConflict, an unknown network ("network not found")
// kNotFound, as retrying would not help.
// A transport failure (refused, timed out) is kUnavailable too, so kUnavailable is exactly
// the set of failures worth retrying. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "cloud/docker/engine_transport.h"
#include "core/error.h"

namespace kraken::docker {

// The engine's message in an error body, or the trimmed body itself when it is not JSON.
std::string EngineMessage(std::string_view body);

// The code for a failed answer: by status, then by message for Podman's conflicts.
ErrorCode ErrorCodeFor(int status, std::string_view message);

// `what` names the action for the message, e.g. "start container 3f2a".
Error EngineError(std::string_view what, const EngineResponse& response);

// Whether retrying the call later may succeed.
inline bool IsTransient(const Error& error) { return error.code == ErrorCode::kUnavailable; }

}  // namespace kraken::docker
