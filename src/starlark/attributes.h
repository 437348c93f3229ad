// Attribute access (x.name): built-in methods of strings, lists and dicts,
// and the fields of host-provided structs. Thread-safe for frozen values.
#ifndef KRAKEN_STARLARK_ATTRIBUTES_H_
#define KRAKEN_STARLARK_ATTRIBUTES_H_

#include <string>
#include <string_view>
#include <vector>

#include "starlark/thread.h"
#include "starlark/value.h"

namespace kraken::starlark {

// GetAttr returns x.name (a bound method or a struct field) or fails.
Value GetAttr(Thread& thread, const Value& x, std::string_view name);
bool HasAttr(const Value& x, std::string_view name);
// The sorted attribute names of x, as dir() reports them.
std::vector<std::string> AttrNames(const Value& x);

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_ATTRIBUTES_H_
