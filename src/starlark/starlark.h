// Kraken's embedded Starlark interpreter: the API the rest of Kraken uses.
//
// Starlark (https://github.com/bazelbuild/starlark/blob/master/spec.md) is
// the deterministic, side-effect-free Python dialect pipelines are written
// in. The interpreter follows the spec's default dialect, as the reference
// implementation (go.starlark.net) does: no `while`, no recursion, no
// top-level `if`/`for`, no reassignment of globals, no sets; ints are
// 64-bit and overflow is an error. There is no I/O: print() goes to
// Options::print and load() is rejected.
//
// Typical use:
//
//   auto module = Module::Load(source, "kraken.star", {}, options);
//   if (!module) return module.error();            // error.backtrace
//   auto ctx = StructFromJson("ctx", context_json); // ctx.flow.kind
//   auto result = module->Call("stage", {ctx});
//   auto json = result ? ToJson(*result) : ...;
//
// and, for `when:` conditions and `#{...}` interpolation:
//
//   auto value = EvalExpression("ctx.flow.kind == 'push'", {{"ctx", ctx}});
//   bool run = value && Truth(*value);   std::string text = Str(*value);
//
// Every evaluation (Load, Call, EvalExpression) is bounded by Options: it
// fails cleanly on timeout, memory exhaustion or deep nesting. Failures are
// returned as Error values; no exception escapes this API.
//
// Reference cycles a script makes are freed when its evaluation ends, or,
// for values the host keeps, when the host's starlark::Heap ends (heap.h).
//
// Thread-safety: Load and EvalExpression may run concurrently. A Module and
// every Value obtained from or passed to it use non-atomic reference counts:
// use them from one thread at a time. Values stay valid after the Module is
// destroyed, but functions of a destroyed module can no longer be called.
#ifndef KRAKEN_STARLARK_STARLARK_H_
#define KRAKEN_STARLARK_STARLARK_H_

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

#include "starlark/error.h"
#include "starlark/format.h"
#include "starlark/heap.h"
#include "starlark/objects.h"
#include "starlark/operators.h"
#include "starlark/options.h"
#include "starlark/value.h"

namespace kraken::starlark {

struct ModuleState;

// Host values visible to a script as predeclared global names.
using Globals = std::vector<std::pair<std::string, Value>>;

class Module {
 public:
  // Load parses, resolves and executes a module; its globals are then
  // frozen. options also bound each later Call.
  static tl::expected<Module, Error> Load(std::string_view source, std::string filename,
                                          const Globals& predeclared = {}, Options options = {});

  Module(Module&&) noexcept;
  Module& operator=(Module&&) noexcept;
  ~Module();

  // The global called name, or nullptr if the module does not define it.
  const Value* Global(std::string_view name) const;
  std::vector<std::string> GlobalNames() const;

  // Call calls the global function called name (or any callable value)
  // with positional arguments.
  tl::expected<Value, Error> Call(std::string_view function, std::vector<Value> args) const;
  tl::expected<Value, Error> Call(const Value& function, std::vector<Value> args) const;

 private:
  Module(std::shared_ptr<ModuleState> state, Options options);

  std::shared_ptr<ModuleState> state_;
  Options options_;
};

// EvalExpression evaluates one expression with env as its predeclared
// names. Errors carry the column within expression.
tl::expected<Value, Error> EvalExpression(std::string_view expression, const Globals& env,
                                          const Options& options = {});

// FromJson converts JSON to plain Starlark values: objects become dicts.
// (JSON nested more than 500 levels deep converts to None.)
Value FromJson(const nlohmann::json& json);
// StructFromJson converts a JSON object to a struct whose fields (nested
// objects too) are read with attribute syntax; name appears in errors, as
// in "ctx.flow has no field 'x'". Non-object JSON converts as FromJson.
//
// Given `lenient` (a save-time check), null fields read as unknown values
// (see StructObject in objects.h), and so do missing fields of the structs
// whose name (as in "ctx.flow.data") lenient accepts; other missing fields
// stay errors.
using LenientFields = std::function<bool(const std::string& struct_name)>;
Value StructFromJson(std::string name, const nlohmann::json& json,
                     const LenientFields& lenient = nullptr);
// ToJson converts None, bools, numbers, strings, lists, tuples, dicts with
// string keys and structs; anything else (a function, a non-string key, a
// non-finite float) is an error. Strings that are not valid UTF-8 (a byte
// taken by indexing, say) have each invalid byte replaced by U+FFFD, so the
// result always dumps. The conversion is bounded by options' memory and time
// limits, as an evaluation is: shared lists cannot expand into gigabytes.
tl::expected<nlohmann::json, Error> ToJson(const Value& value, const Options& options = {});

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_STARLARK_H_
