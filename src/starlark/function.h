// Callable values: Starlark functions (closures over a resolved FunctionDecl)
// and built-in functions or methods implemented in C++, plus the argument
// list passed to either. Not thread-safe.
#ifndef KRAKEN_STARLARK_FUNCTION_H_
#define KRAKEN_STARLARK_FUNCTION_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "starlark/ast.h"
#include "starlark/thread.h"
#include "starlark/value.h"

namespace kraken::starlark {

// ModuleState is what a module's functions share: the syntax tree they were
// compiled from and the module's global and predeclared variables.
struct ModuleState {
  std::unique_ptr<File> file;
  std::vector<Value> globals;
  std::vector<Value> predeclared;  // indexed like file->predeclared
  std::vector<Value> universals;   // indexed like file->universals
};

class FunctionObject : public Object {
 public:
  FunctionObject(const FunctionDecl* decl, std::shared_ptr<ModuleState> module)
      : Object(Type::kFunction), decl(decl), module(std::move(module)) {}
  const FunctionDecl* decl;
  std::shared_ptr<ModuleState> module;
  std::vector<Value> defaults;  // one per parameter; Unbound when required
  std::vector<Value> freevars;  // captured cells
};

struct Args {
  std::vector<Value> positional;
  std::vector<std::pair<Value, Value>> named;  // (name string, value)
};

using BuiltinFn = Value (*)(Thread& thread, const Value& self, Args& args);

class BuiltinObject : public Object {
 public:
  BuiltinObject(const char* name, BuiltinFn fn, Value self = Value())
      : Object(Type::kBuiltin), name(name), fn(fn), self(std::move(self)) {}
  const char* name;
  BuiltinFn fn;
  Value self;  // the receiver of a bound method, else None
};

// Call calls any callable value.
Value Call(Thread& thread, const Value& fn, Args& args);

// CallBuiltin calls a built-in function or method, attributing its errors
// to it ("Error in append: ...").
Value CallBuiltin(Thread& thread, const char* name, BuiltinFn fn, const Value& self, Args& args);

// BindArguments assigns args to fn's parameter slots in locals, applying
// defaults and collecting *args and **kwargs, per the spec's rules.
void BindArguments(const FunctionObject* fn, Args& args, Value* locals);

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_FUNCTION_H_
