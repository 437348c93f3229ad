// Step `when` conditions: a Starlark expression evaluated just before a step is handed out,
// over the step's ctx plus the predefined names prev_ok, always, never, was_any_error,
// was_no_error, is_ci and is_dev. It must give True or False; anything else is an error that
// the engine reports on the step. Pure; thread-safe.
#pragma once

#include <string>

#include "core/error.h"
#include "core/json.h"
#include "workflow/interpolate.h"

namespace kraken::workflow {

struct WhenContext {
  bool prev_ok = true;     // the previous executed step succeeded (or there was none)
  bool any_error = false;  // some earlier step erred
  bool is_ci = true;
};

// Adds prev_ok, always, never, was_any_error and was_no_error to a ctx object.
void AddWhenNames(Json& ctx, const WhenContext& when);

// Evaluates `expr` (optionally written as "#{expr}") with `interpolator`, whose ctx must
// hold the names of AddWhenNames.
Result<bool> EvaluateWhen(const std::string& expr, Interpolator& interpolator);

// The same over a ctx holding only the predefined names.
Result<bool> EvaluateWhen(const std::string& expr, const WhenContext& ctx);

}  // namespace kraken::workflow
