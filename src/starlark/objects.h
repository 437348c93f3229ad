// The heap object types behind Starlark's built-in values, except functions
// (see function.h). Containers carry a frozen flag (set when a module
// finishes loading) and an iteration count, because Starlark forbids
// mutating a container while a loop runs over it. Not thread-safe.
#ifndef KRAKEN_STARLARK_OBJECTS_H_
#define KRAKEN_STARLARK_OBJECTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "starlark/hash_table.h"
#include "starlark/value.h"

namespace kraken::starlark {

class ListObject : public Object {
 public:
  ListObject() : Object(Type::kList) {}
  explicit ListObject(std::vector<Value> v) : Object(Type::kList), items(std::move(v)) {}
  std::vector<Value> items;
  int iterators = 0;
};

class TupleObject : public Object {
 public:
  TupleObject() : Object(Type::kTuple) {}
  explicit TupleObject(std::vector<Value> v) : Object(Type::kTuple), items(std::move(v)) {}
  std::vector<Value> items;
};

class DictObject : public Object {
 public:
  DictObject() : Object(Type::kDict) {}
  HashTable table;
  int iterators = 0;
};

class RangeObject : public Object {
 public:
  RangeObject(int64_t start, int64_t stop, int64_t step)
      : Object(Type::kRange), start(start), stop(stop), step(step) {}
  int64_t Length() const;
  int64_t At(int64_t i) const { return start + i * step; }
  int64_t start, stop, step;
};

// A struct is a host-provided record whose fields are read with dot syntax;
// fields are kept sorted by name so dir() and lookups are cheap.
//
// A lenient struct reads a missing field as an unknown value rather than
// failing. An unknown value (IsUnknown) stands for host data that does
// not exist yet, such as a stage's flow while its schema is checked at save
// time: its fields and items are unknown too, it is false, empty, iterates
// over nothing, equals None, prints as None and converts to JSON null.
class StructObject : public Object {
 public:
  StructObject(std::string name, std::vector<std::pair<std::string, Value>> fields,
               bool lenient = false);
  const Value* Field(std::string_view name) const;
  std::string name;
  std::vector<std::pair<std::string, Value>> fields;
  bool lenient = false;
  bool unknown = false;
};

// MakeUnknown returns an unknown value named name (as in "ctx.flow").
Value MakeUnknown(std::string name);
inline bool IsUnknown(const Value& v) {
  return v.is(Type::kStruct) && v.as<StructObject>()->unknown;
}

// A cell holds a local variable that a nested function captures.
class CellObject : public Object {
 public:
  CellObject() : Object(Type::kCell), value(Value::Unbound()) {}
  Value value;
};

inline Value MakeList(std::vector<Value> items = {}) {
  return Value(new ListObject(std::move(items)));
}
inline Value MakeTuple(std::vector<Value> items = {}) {
  return Value(new TupleObject(std::move(items)));
}
inline Value MakeDict() { return Value(new DictObject()); }

// Freeze marks v and everything reachable from it immutable.
void Freeze(const Value& v);

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_OBJECTS_H_
