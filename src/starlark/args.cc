// Argument unpacking for built-in functions (declared in builtins.h).
#include <cstring>
#include <string>

#include "starlark/builtins.h"
#include "starlark/interpreter.h"
#include "starlark/operators.h"

namespace kraken::starlark {

void UnpackArgs(const char* fn, Args& args, std::initializer_list<const char*> names,
                std::initializer_list<Value*> outputs) {
  const char* const* name = names.begin();
  Value* const* out = outputs.begin();
  size_t n = names.size();
  for (size_t i = 0; i < n; ++i) *out[i] = Value::Unbound();
  if (args.positional.size() > n) {
    Fail(std::string(fn) + ": got " + std::to_string(args.positional.size()) +
         " arguments, want at most " + std::to_string(n));
  }
  for (size_t i = 0; i < args.positional.size(); ++i) *out[i] = std::move(args.positional[i]);
  for (auto& [key, value] : args.named) {
    const std::string& k = key.str();
    size_t i = 0;
    for (; i < n; ++i) {
      size_t len = std::strlen(name[i]);
      if (name[i][len - 1] == '?') --len;
      if (k.size() == len && k.compare(0, len, name[i], len) == 0) break;
    }
    if (i == n) Fail(std::string(fn) + ": unexpected keyword argument " + k);
    if (!out[i]->IsUnbound())
      Fail(std::string(fn) + ": got multiple values for keyword argument " + k);
    *out[i] = std::move(value);
  }
  for (size_t i = 0; i < n; ++i) {
    size_t len = std::strlen(name[i]);
    if (out[i]->IsUnbound() && name[i][len - 1] != '?') {
      Fail(std::string(fn) + ": missing argument for " + name[i]);
    }
  }
}

void UnpackPositional(const char* fn, Args& args, size_t min,
                      std::initializer_list<Value*> outputs) {
  if (!args.named.empty()) Fail(std::string(fn) + ": unexpected keyword arguments");
  size_t max = outputs.size();
  size_t given = args.positional.size();
  if (given < min) {
    Fail(std::string(fn) + ": got " + std::to_string(given) + " arguments, want " +
         (min == max ? "" : "at least ") + std::to_string(min));
  }
  if (given > max) {
    Fail(std::string(fn) + ": got " + std::to_string(given) + " arguments, want " +
         (min == max ? "" : "at most ") + std::to_string(max));
  }
  Value* const* out = outputs.begin();
  for (size_t i = 0; i < max; ++i)
    *out[i] = i < given ? std::move(args.positional[i]) : Value::Unbound();
}

int64_t IntArg(const char* fn, const char* param, const Value& v) {
  if (!v.is(Type::kInt)) {
    Fail(std::string(fn) + ": for parameter " + param + ": got " + std::string(TypeName(v)) +
         ", want int");
  }
  return v.int_value();
}

const std::string& StringArg(const char* fn, const char* param, const Value& v) {
  if (!v.is(Type::kString)) {
    Fail(std::string(fn) + ": for parameter " + param + ": got " + std::string(TypeName(v)) +
         ", want string");
  }
  return v.str();
}

std::vector<Value> ToVector(Thread& thread, const char* fn, const Value& iterable) {
  std::vector<Value> out;
  if (!(iterable.is(Type::kList) || iterable.is(Type::kTuple) || iterable.is(Type::kDict) ||
        iterable.is(Type::kRange))) {
    Fail(std::string(fn) + ": got " + std::string(TypeName(iterable)) + ", want iterable");
  }
  int64_t n = Len(iterable);
  thread.Charge(static_cast<size_t>(n) * sizeof(Value));
  out.reserve(static_cast<size_t>(n));
  Iterate(thread, iterable, [&](const Value& v) {
    out.push_back(v);
    return true;
  });
  return out;
}

}  // namespace kraken::starlark
