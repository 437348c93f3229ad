// The tree-walking evaluator: executes a resolved syntax tree, keeping
// local variables in frame slots chosen by the resolver. Errors propagate as
// EvalError, annotated with each Starlark frame's position as they unwind.
// Not thread-safe: one Thread per evaluation.
#ifndef KRAKEN_STARLARK_INTERPRETER_H_
#define KRAKEN_STARLARK_INTERPRETER_H_

#include <memory>

#include "starlark/function.h"
#include "starlark/thread.h"

namespace kraken::starlark {

// RunToplevel executes the module's top-level statements, leaving its
// globals in module->globals. When expression is set, the file holds one
// expression statement and its value is returned.
Value RunToplevel(Thread& thread, const std::shared_ptr<ModuleState>& module, bool expression);

// CallFunction calls a Starlark function (see Call in function.h for any
// callable).
Value CallFunction(Thread& thread, FunctionObject* fn, Args& args);

// Iterate calls f on each element of a list, tuple, dict (its keys) or
// range, until f returns false. Lists and dicts cannot be mutated meanwhile.
template <class F>
void Iterate(Thread& thread, const Value& iterable, F&& f);

}  // namespace kraken::starlark

#include "starlark/iterate_inl.h"

#endif  // KRAKEN_STARLARK_INTERPRETER_H_
