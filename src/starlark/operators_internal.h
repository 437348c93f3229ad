// Helpers shared by the operator files (operators.cc: arithmetic and membership;
// compare.cc: truth, equality, ordering and hashing). Internal to the interpreter.
#pragma once

#include <string>
#include <vector>

#include "starlark/format.h"
#include "starlark/objects.h"
#include "starlark/operators.h"

namespace kraken::starlark::internal {

inline bool IsNumber(const Value& v) { return v.is(Type::kInt) || v.is(Type::kFloat); }
inline double ToDouble(const Value& v) {
  return v.is(Type::kInt) ? static_cast<double>(v.int_value()) : v.float_value();
}

[[noreturn]] inline void UnknownBinary(Tok op, const Value& x, const Value& y) {
  std::string name = TokenName(op);
  if (name.size() > 2 && name.front() == '\'') name = name.substr(1, name.size() - 2);
  Fail("unknown binary op: " + std::string(TypeName(x)) + " " + name + " " +
       std::string(TypeName(y)));
}

inline const std::vector<Value>* Sequence(const Value& v) {
  if (v.is(Type::kList)) return &v.as<ListObject>()->items;
  if (v.is(Type::kTuple)) return &v.as<TupleObject>()->items;
  return nullptr;
}

}  // namespace kraken::starlark::internal
