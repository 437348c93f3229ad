// Calling values and binding arguments to parameters (declared in
// function.h).
#include <string>

#include "starlark/interpreter.h"
#include "starlark/objects.h"

namespace kraken::starlark {

Value Call(Thread& thread, const Value& fn, Args& args) {
  if (fn.is(Type::kFunction)) return CallFunction(thread, fn.as<FunctionObject>(), args);
  if (fn.is(Type::kBuiltin)) {
    auto* b = fn.as<BuiltinObject>();
    return CallBuiltin(thread, b->name, b->fn, b->self, args);
  }
  Fail("invalid call of non-function (" + std::string(TypeName(fn)) + ")");
}

Value CallBuiltin(Thread& thread, const char* name, BuiltinFn fn, const Value& self, Args& args) {
  thread.Step();
  try {
    return fn(thread, self, args);
  } catch (EvalError& e) {
    e.set_builtin(name);
    throw;
  }
}

void BindArguments(const FunctionObject* fn, Args& args, Value* locals) {
  const FunctionDecl* decl = fn->decl;
  const std::string& name = decl->name;
  size_t num_positional = static_cast<size_t>(decl->num_params - decl->num_kwonly);
  size_t given = args.positional.size();
  if (given > num_positional && !decl->has_varargs) {
    if (num_positional == 0) {
      Fail("function " + name + " accepts no arguments (" + std::to_string(given) + " given)");
    }
    Fail("function " + name + " accepts " +
         (decl->num_params > static_cast<int>(num_positional) || fn->defaults.size() > 0
              ? "at most "
              : "") +
         std::to_string(num_positional) + " positional argument" +
         (num_positional == 1 ? "" : "s") + " (" + std::to_string(given) + " given)");
  }
  size_t n = std::min(given, num_positional);
  for (size_t i = 0; i < n; ++i) locals[i] = std::move(args.positional[i]);
  int slot = decl->num_params;
  if (decl->has_varargs) {
    std::vector<Value> rest;
    for (size_t i = n; i < given; ++i) rest.push_back(std::move(args.positional[i]));
    locals[slot++] = MakeTuple(std::move(rest));
  }
  DictObject* kwargs = nullptr;
  if (decl->has_kwargs) {
    kwargs = new DictObject();
    kwargs->table.Reserve(args.named.size());
    locals[slot] = Value(kwargs);
  }
  for (auto& [key, value] : args.named) {
    const std::string& k = key.str();
    int index = -1;
    for (int i = 0; i < decl->num_params; ++i) {
      if (decl->param_names[i].str() == k) {
        index = i;
        break;
      }
    }
    if (index >= 0) {
      if (!locals[index].IsUnbound())
        Fail("function " + name + " got multiple values for parameter " + k);
      locals[index] = std::move(value);
    } else if (kwargs != nullptr) {
      if (!kwargs->table.Insert(key, std::move(value))) {
        Fail("function " + name + " got multiple values for parameter " + k);
      }
    } else {
      Fail("function " + name + " got an unexpected keyword argument " + k);
    }
  }
  std::string missing;
  int num_missing = 0;
  for (int i = 0; i < decl->num_params; ++i) {
    if (!locals[i].IsUnbound()) continue;
    if (!fn->defaults[i].IsUnbound()) {
      locals[i] = fn->defaults[i];
    } else {
      if (num_missing++ > 0) missing += ", ";
      missing += decl->param_names[i].str();
    }
  }
  if (num_missing > 0) {
    Fail("function " + name + " missing " + std::to_string(num_missing) + " argument" +
         (num_missing == 1 ? "" : "s") + " (" + missing + ")");
  }
}

}  // namespace kraken::starlark
