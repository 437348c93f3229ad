#include "starlark/attributes.h"

#include <algorithm>

#include "starlark/builtins.h"
#include "starlark/objects.h"

namespace kraken::starlark {
namespace {

const std::vector<MethodEntry>* MethodTable(Type type) {
  switch (type) {
    case Type::kString:
      return &kStringMethods;
    case Type::kList:
      return &kListMethods;
    case Type::kDict:
      return &kDictMethods;
    default:
      return nullptr;
  }
}

}  // namespace

BuiltinFn LookupMethod(Type type, std::string_view name, const char** canonical_name) {
  const std::vector<MethodEntry>* table = MethodTable(type);
  if (table == nullptr) return nullptr;
  for (const MethodEntry& m : *table) {
    if (name == m.name) {
      *canonical_name = m.name;
      return m.fn;
    }
  }
  return nullptr;
}

std::vector<std::string> MethodNames(Type type) {
  std::vector<std::string> names;
  if (const std::vector<MethodEntry>* table = MethodTable(type)) {
    for (const MethodEntry& m : *table) names.emplace_back(m.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Value GetAttr(Thread& thread, const Value& x, std::string_view name) {
  if (x.is(Type::kStruct)) {
    auto* s = x.as<StructObject>();
    if (const Value* v = s->Field(name)) return *v;
    if (s->lenient) {
      thread.Charge(sizeof(StructObject) + s->name.size() + name.size() + 1);
      return MakeUnknown(s->name + "." + std::string(name));
    }
    Fail(s->name + " has no field '" + std::string(name) + "'");
  }
  const char* canonical = nullptr;
  if (BuiltinFn fn = LookupMethod(x.type(), name, &canonical)) {
    thread.Charge(sizeof(BuiltinObject));
    return Value(new BuiltinObject(canonical, fn, x));
  }
  Fail(std::string(TypeName(x)) + " has no ." + std::string(name) + " field or method");
}

bool HasAttr(const Value& x, std::string_view name) {
  if (x.is(Type::kStruct)) return x.as<StructObject>()->Field(name) != nullptr;
  const char* canonical = nullptr;
  return LookupMethod(x.type(), name, &canonical) != nullptr;
}

std::vector<std::string> AttrNames(const Value& x) {
  if (x.is(Type::kStruct)) {
    std::vector<std::string> names;
    for (const auto& field : x.as<StructObject>()->fields) names.push_back(field.first);
    return names;
  }
  return MethodNames(x.type());
}

}  // namespace kraken::starlark
