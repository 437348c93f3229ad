// Implementation of Iterate (interpreter.h); a template so that loops over
// values compile to direct code.
#ifndef KRAKEN_STARLARK_ITERATE_INL_H_
#define KRAKEN_STARLARK_ITERATE_INL_H_

#include <string>

#include "starlark/objects.h"

namespace kraken::starlark {

// Counts a running iteration on a list or dict so that it rejects mutation.
template <class T>
class IterationGuard {
 public:
  explicit IterationGuard(T* object) : object_(object) {
    if (!object_->frozen()) ++object_->iterators;
  }
  ~IterationGuard() {
    if (!object_->frozen()) --object_->iterators;
  }
  IterationGuard(const IterationGuard&) = delete;
  IterationGuard& operator=(const IterationGuard&) = delete;

 private:
  T* object_;
};

template <class F>
void Iterate(Thread& thread, const Value& iterable, F&& f) {
  switch (iterable.type()) {
    case Type::kList: {
      auto* list = iterable.as<ListObject>();
      Value keep = iterable;
      IterationGuard<ListObject> guard(list);
      for (size_t i = 0; i < list->items.size(); ++i) {
        thread.Step();
        if (!f(list->items[i])) return;
      }
      return;
    }
    case Type::kTuple: {
      Value keep = iterable;
      for (const Value& v : iterable.as<TupleObject>()->items) {
        thread.Step();
        if (!f(v)) return;
      }
      return;
    }
    case Type::kDict: {
      auto* dict = iterable.as<DictObject>();
      Value keep = iterable;
      IterationGuard<DictObject> guard(dict);
      const auto& entries = dict->table.entries();
      for (size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].key.IsUnbound()) continue;
        thread.Step();
        if (!f(entries[i].key)) return;
      }
      return;
    }
    case Type::kRange: {
      auto* r = iterable.as<RangeObject>();
      int64_t n = r->Length();
      for (int64_t i = 0; i < n; ++i) {
        thread.Step();
        if (!f(Value::Int(r->At(i)))) return;
      }
      return;
    }
    default:
      if (IsUnknown(iterable)) return;
      Fail(std::string(TypeName(iterable)) + " value is not iterable");
  }
}

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_ITERATE_INL_H_
