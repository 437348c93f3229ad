// Step `when` conditions: evaluated just before a step is handed out, against what the
// earlier steps of the job did and the flow kind. Pure; thread-safe.
#pragma once

#include <string>

#include "core/error.h"

namespace kraken::workflow {

struct WhenContext {
  bool prev_ok = true;        // the previous executed step succeeded (or there was none)
  bool any_error = false;     // some earlier step erred
  bool is_ci = true;
};

// The predefined names: always, never, prev_ok, was_any_error, was_no_error, is_ci, is_dev,
// and `not NAME`, `A and B`, `A or B` over them.
Result<bool> EvaluateWhen(const std::string& expr, const WhenContext& ctx);

}  // namespace kraken::workflow
