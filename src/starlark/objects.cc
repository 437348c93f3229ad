#include "starlark/objects.h"

#include <algorithm>

#include "starlark/function.h"

namespace kraken::starlark {

std::string_view TypeName(const Value& v) {
  switch (v.type()) {
    case Type::kUnbound:
      return "unbound";
    case Type::kNone:
      return "NoneType";
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "int";
    case Type::kFloat:
      return "float";
    case Type::kString:
      return "string";
    case Type::kList:
      return "list";
    case Type::kTuple:
      return "tuple";
    case Type::kDict:
      return "dict";
    case Type::kRange:
      return "range";
    case Type::kFunction:
      return "function";
    case Type::kBuiltin:
      return "builtin_function_or_method";
    case Type::kStruct:
      return v.as<StructObject>()->unknown ? "NoneType" : "struct";
    case Type::kCell:
      return "cell";
  }
  return "unknown";
}

StructObject::StructObject(std::string name, std::vector<std::pair<std::string, Value>> fields,
                           bool lenient)
    : Object(Type::kStruct), name(std::move(name)), fields(std::move(fields)), lenient(lenient) {
  std::stable_sort(this->fields.begin(), this->fields.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

Value MakeUnknown(std::string name) {
  auto* s = new StructObject(std::move(name), {}, true);
  s->unknown = true;
  s->set_frozen();
  return Value(s);
}

const Value* StructObject::Field(std::string_view field) const {
  auto it =
      std::lower_bound(fields.begin(), fields.end(), field,
                       [](const auto& entry, std::string_view key) { return entry.first < key; });
  if (it == fields.end() || it->first != field) return nullptr;
  return &it->second;
}

void Value::Destroy(Object* o) {
  thread_local std::vector<Object*>* pending = nullptr;
  if (pending != nullptr) {
    pending->push_back(o);
    return;
  }
  std::vector<Object*> queue{o};
  pending = &queue;
  while (!queue.empty()) {
    Object* next = queue.back();
    queue.pop_back();
    delete next;
  }
  pending = nullptr;
}

void Freeze(const Value& root) {
  // Iterative, so that deeply nested values cannot overflow the stack.
  std::vector<Value> stack{root};
  auto push = [&stack](const Value& v) {
    if (v.IsHeap() && !v.object()->frozen()) stack.push_back(v);
  };
  while (!stack.empty()) {
    Value v = std::move(stack.back());
    stack.pop_back();
    if (!v.IsHeap() || v.object()->frozen()) continue;
    v.object()->set_frozen();
    switch (v.type()) {
      case Type::kList:
        for (const Value& x : v.as<ListObject>()->items) push(x);
        break;
      case Type::kTuple:
        for (const Value& x : v.as<TupleObject>()->items) push(x);
        break;
      case Type::kDict:
        for (const auto& e : v.as<DictObject>()->table.entries()) {
          push(e.key);
          push(e.value);
        }
        break;
      case Type::kStruct:
        for (const auto& field : v.as<StructObject>()->fields) push(field.second);
        break;
      case Type::kFunction: {
        auto* fn = v.as<FunctionObject>();
        for (const Value& x : fn->defaults) push(x);
        for (const Value& x : fn->freevars) push(x);
        break;
      }
      case Type::kBuiltin:
        push(v.as<BuiltinObject>()->self);
        break;
      case Type::kCell:
        push(v.as<CellObject>()->value);
        break;
      default:
        break;
    }
  }
}

}  // namespace kraken::starlark
