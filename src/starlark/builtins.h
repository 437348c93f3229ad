// The predeclared names every Starlark program sees (len, range, dict, ...)
// and the built-in methods of strings, lists and dicts. The tables are
// immutable after static initialization and safe to read from any thread.
#ifndef KRAKEN_STARLARK_BUILTINS_H_
#define KRAKEN_STARLARK_BUILTINS_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "starlark/function.h"
#include "starlark/value.h"

namespace kraken::starlark {

// Whether name is one of the language's built-in functions or constants.
bool IsUniversal(std::string_view name);
// A new instance of the built-in value called name, which must satisfy
// IsUniversal. Each module gets its own instances because reference counts
// are not atomic and modules may run on different threads.
Value MakeUniversal(std::string_view name);

// int(), defined with the other number conversions.
Value IntBuiltin(Thread& thread, const Value& self, Args& args);
// Adds a dict or pairs and keyword arguments to dict: dict() and dict.update.
class DictObject;
void DictUpdate(Thread& thread, const char* name, DictObject* dict, Args& args);

// The method of values of the given type called name, or nullptr. On
// success *canonical_name receives a name with static storage.
BuiltinFn LookupMethod(Type type, std::string_view name, const char** canonical_name);
// The sorted names of the type's methods.
std::vector<std::string> MethodNames(Type type);

struct MethodEntry {
  const char* name;
  BuiltinFn fn;
};
// The method tables, defined next to each type's methods.
extern const std::vector<MethodEntry> kStringMethods;
extern const std::vector<MethodEntry> kListMethods;
extern const std::vector<MethodEntry> kDictMethods;

// UnpackArgs matches args against parameter names in order; a name ending
// in '?' is optional, and its output is left Unbound when not given.
// Throws "fn: ..." errors for missing, extra or unknown arguments.
void UnpackArgs(const char* fn, Args& args, std::initializer_list<const char*> names,
                std::initializer_list<Value*> outputs);
// UnpackPositional is UnpackArgs for functions without keyword arguments.
void UnpackPositional(const char* fn, Args& args, size_t min,
                      std::initializer_list<Value*> outputs);

// Conversions with errors naming the function and parameter.
int64_t IntArg(const char* fn, const char* param, const Value& v);
const std::string& StringArg(const char* fn, const char* param, const Value& v);
// Collects the elements of an iterable value into a vector.
std::vector<Value> ToVector(Thread& thread, const char* fn, const Value& iterable);

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_BUILTINS_H_
