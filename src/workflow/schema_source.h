// Turns a stage's source text into the stage dict: Starlark (`def stage(ctx): return {...}`,
// evaluated with a ctx), JSON or YAML. Errors in the text carry file:line:column.
// Pure functions; thread-safe (each evaluation has its own interpreter state).
#pragma once

#include <string>

#include "core/json.h"
#include "starlark/options.h"
#include "workflow/schema_error.h"

namespace kraken::workflow {

inline constexpr const char* kFormatStarlark = "starlark";
inline constexpr const char* kFormatJson = "json";
inline constexpr const char* kFormatYaml = "yaml";

// The format to use: `requested` when given ("starlark", "json", "yaml", or "python" as an
// alias of starlark), otherwise starlark when the code defines `def stage(`, else JSON when
// it starts with `{`, else YAML. An unknown requested format is an error on schema_format.
SchemaResult<std::string> ResolveFormat(const std::string& code, const std::string& requested);

struct SourceOptions {
  std::string filename = "stage.star";
  starlark::Options starlark;  // time and memory bounds of one evaluation
  // Reuse the loaded module of the same code and filename (the last 64, per thread); its
  // options are those of the first load.
  bool cache_modules = true;
  // The save-time check: as with Kraken CI, what only exists at run time must not break it.
  // ctx.flow, ctx.run and their labels (None at save), any ctx.args.X and anything under a
  // `data` (user data) read as an unknown value: false, empty, iterates over nothing, equals
  // None. Other missing fields (a typo such as ctx.brnch) stay errors. At run time (false)
  // every missing field is an error.
  bool lenient_ctx = false;
};

// Evaluates the code to the raw stage dict (not yet validated). For Starlark, `ctx` (a JSON
// object) is passed to stage() as a struct read with attribute syntax.
SchemaResult<Json> EvaluateSource(const std::string& code, const std::string& format,
                                  const Json& ctx, const SourceOptions& options = {});

}  // namespace kraken::workflow
