#include "starlark/heap.h"

#include <new>
#include <utility>
#include <vector>

#include "starlark/function.h"
#include "starlark/objects.h"

namespace kraken::starlark {

thread_local Heap* current_heap = nullptr;

namespace {

// Calls f on each object that o holds a reference to, once per reference.
template <typename F>
void ForEachReference(Object* o, F&& f) {
  auto visit = [&f](const Value& v) {
    if (v.IsHeap()) f(v.object());
  };
  switch (o->type()) {
    case Type::kList:
      for (const Value& v : static_cast<ListObject*>(o)->items) visit(v);
      break;
    case Type::kTuple:
      for (const Value& v : static_cast<TupleObject*>(o)->items) visit(v);
      break;
    case Type::kDict:
      for (const auto& e : static_cast<DictObject*>(o)->table.entries()) {
        visit(e.key);
        visit(e.value);
      }
      break;
    case Type::kStruct:
      for (const auto& field : static_cast<StructObject*>(o)->fields) visit(field.second);
      break;
    case Type::kFunction: {
      auto* fn = static_cast<FunctionObject*>(o);
      for (const Value& v : fn->defaults) visit(v);
      for (const Value& v : fn->freevars) visit(v);
      break;
    }
    case Type::kBuiltin:
      visit(static_cast<BuiltinObject*>(o)->self);
      break;
    case Type::kCell:
      visit(static_cast<CellObject*>(o)->value);
      break;
    default:
      break;
  }
}

// Drops every reference o holds. What it held is freed after the caller's
// own references go (Value::Destroy queues nested frees).
void DropReferences(Object* o) {
  switch (o->type()) {
    case Type::kList:
      std::vector<Value>().swap(static_cast<ListObject*>(o)->items);
      break;
    case Type::kTuple:
      std::vector<Value>().swap(static_cast<TupleObject*>(o)->items);
      break;
    case Type::kDict:
      static_cast<DictObject*>(o)->table = HashTable();
      break;
    case Type::kStruct:
      static_cast<StructObject*>(o)->fields.clear();
      break;
    case Type::kFunction: {
      auto* fn = static_cast<FunctionObject*>(o);
      std::vector<Value>().swap(fn->defaults);
      std::vector<Value>().swap(fn->freevars);
      break;
    }
    case Type::kBuiltin:
      static_cast<BuiltinObject*>(o)->self = Value();
      break;
    case Type::kCell:
      static_cast<CellObject*>(o)->value = Value();
      break;
    default:
      break;
  }
}

}  // namespace

void TrackObject(Object* o) {
  HeapLink& head = current_heap->objects_;
  o->prev = &head;
  o->next = head.next;
  head.next->prev = o;
  head.next = o;
}

Heap::Heap() : outer_(current_heap) {
  objects_.prev = objects_.next = &objects_;
  current_heap = this;
}

Heap::~Heap() {
  try {
    Collect();
  } catch (const std::bad_alloc&) {
    // No memory to look for cycles with: they stay, as without a heap.
  }
  current_heap = outer_;
  // The survivors join the enclosing heap, or leave collection altogether.
  if (objects_.next == &objects_) return;
  HeapLink* first = objects_.next;
  HeapLink* last = objects_.prev;
  if (outer_ != nullptr) {
    HeapLink& head = outer_->objects_;
    last->next = head.next;
    head.next->prev = last;
    head.next = first;
    first->prev = &head;
    return;
  }
  for (HeapLink* l = first; l != &objects_;) {
    HeapLink* next = l->next;
    l->prev = l->next = nullptr;
    l = next;
  }
}

size_t Heap::size() const {
  size_t n = 0;
  for (const HeapLink* l = objects_.next; l != &objects_; l = l->next) ++n;
  return n;
}

size_t Heap::Collect() {
  std::vector<Object*> objects;
  for (HeapLink* l = objects_.next; l != &objects_; l = l->next) {
    auto* o = static_cast<Object*>(l);
    o->gc_state_ = 1;
    o->gc_refs_ = o->refs_;
    objects.push_back(o);
  }
  // What remains of each count after the heap's own references comes from
  // outside: from the host, a module's globals or an evaluation's frames.
  for (Object* o : objects) {
    ForEachReference(o, [](Object* held) {
      if (held->gc_state_ != 0) --held->gc_refs_;
    });
  }
  std::vector<Object*> reachable;
  for (Object* o : objects) {
    if (o->gc_refs_ > 0) {
      o->gc_state_ = 2;
      reachable.push_back(o);
    }
  }
  while (!reachable.empty()) {
    Object* o = reachable.back();
    reachable.pop_back();
    ForEachReference(o, [&reachable](Object* held) {
      if (held->gc_state_ == 1) {
        held->gc_state_ = 2;
        reachable.push_back(held);
      }
    });
  }
  // Hold each garbage object while the cycles are cut, then let go.
  std::vector<Value> garbage;
  for (Object* o : objects) {
    if (o->gc_state_ == 1) garbage.emplace_back(o);
    o->gc_state_ = 0;
  }
  for (const Value& v : garbage) DropReferences(v.object());
  const size_t freed = garbage.size();
  garbage.clear();
  return freed;
}

}  // namespace kraken::starlark
