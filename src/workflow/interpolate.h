// `#{...}` interpolation in step fields, labels, notification settings and environment names.
// Each `#{NAME}` is first looked up among the legacy variables (args, KK_FLOW_SEQ,
// KK_CI_DEV_FLOW_SEQ, KK_RUN_SEQ, KK_SECRET_SIMPLE_<name>, ...); anything else is a Starlark
// expression over the ctx fields (`#{flow.seq.own}`, `#{env.MY_VAR}`, `#{ctx.args.X}`).
// An expression error is an error value naming the field, never text in the output.
// Not thread-safe: an Interpolator caches the Starlark form of its ctx; use one per thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"
#include "starlark/starlark.h"

namespace kraken::workflow {

class Interpolator {
 public:
  // `ctx`: the ctx JSON (context.h); `legacy`: NAME -> value of the legacy variables.
  Interpolator(Json ctx, Json legacy, starlark::Options options = DefaultOptions());

  // Replaces every `#{...}` in the strings of `value`, recursing into lists and dicts.
  // `field` names `value` in errors ("jobs[0].steps[1].cmd").
  Result<Json> Expand(const Json& value, const std::string& field);
  Result<std::string> ExpandString(const std::string& text, const std::string& field);

  // Evaluates one Starlark expression over the ctx (for `when`).
  Result<starlark::Value> Evaluate(const std::string& expression, const std::string& field);

  static starlark::Options DefaultOptions();

 private:
  const starlark::Globals& Globals();

  Json ctx_;
  Json legacy_;
  starlark::Options options_;
  std::optional<starlark::Globals> globals_;
};

// True when `text` contains a `#{`.
bool HasInterpolation(const std::string& text);

// Replaces every occurrence of each secret value in the strings of `value` with "******",
// for what people see (API, UI, logs, errors).
Json MaskSecrets(const Json& value, const std::vector<std::string>& secrets);

}  // namespace kraken::workflow
