// The `ctx` a stage's code, `when` conditions and `#{...}` expressions see: project, branch,
// env, secrets, stage, flow, run, args, is_ci, is_dev (and, for steps, job, step and config).
// At save time there is no flow nor run: both are None. Pure; thread-safe.
#pragma once

#include <vector>

#include "core/entities.h"
#include "core/json.h"

namespace kraken::workflow {

struct ContextInput {
  const Project* project = nullptr;
  const Branch* branch = nullptr;
  const Stage* stage = nullptr;
  const Flow* flow = nullptr;  // none at save time
  const Run* run = nullptr;    // none at save time and before the run exists
  Json parameter_defaults = Json::object();
  Json run_args = Json::object();
  Json secrets = Json::object();  // ctx.secrets (secrets/secret_context.h)
};

// The ctx as JSON (converted to a Starlark struct for evaluation).
Json BuildContext(const ContextInput& in);

// The merged args: parameter defaults, then flow args, then run args, plus KK_FLOW_TYPE,
// KK_BRANCH and branch.
Json MergeArgs(const ContextInput& in);

// A save-time ctx for a project "project" and branch "master" (flow and run None), for
// checking stage files without a server (`kraken schema check`, tests).
Json SampleContext();

// The legacy `#{NAME}` variables: every arg (as text), KK_FLOW_SEQ, KK_CI_DEV_FLOW_SEQ,
// KK_RUN_SEQ (= KK_FLOW_SEQ: a stage runs once per flow), KK_CI_DEV_RUN_SEQ, and
// KK_SECRET_SIMPLE_<name> / KK_SECRET_USER_<name> / KK_SECRET_KEY_<name> per secret.
Json LegacyVariables(const Json& ctx);

// The ctx of one step: `ctx` plus `job` (with every step and its `result`), `step` and
// `config` (the job's config variables, an empty dict without one).
Json StepContext(Json ctx, const Job& job, const std::vector<Step>& steps, const Step& step,
                 const Json& config);

}  // namespace kraken::workflow
