// Length, indexing and slicing (declared in operators.h).
#include <string>

#include "starlark/format.h"
#include "starlark/objects.h"
#include "starlark/operators.h"

namespace kraken::starlark {
namespace {

int64_t ToIndex(const Value& v, const char* what) {
  if (v.is(Type::kInt)) return v.int_value();
  Fail(std::string(what) + ": got " + std::string(TypeName(v)) + ", want int");
}

// Resolves a possibly negative index against length n.
int64_t AbsIndex(const Value& index, int64_t n) {
  int64_t i = ToIndex(index, "index");
  int64_t orig = i;
  if (i < 0) i += n;
  if (i < 0 || i >= n) {
    Fail("index " + std::to_string(orig) + " out of range [" + std::to_string(-n) + ":" +
         std::to_string(n - 1) + "]");
  }
  return i;
}

// Computes the effective start and end of a slice, as Python does.
void SliceIndices(int64_t n, const Value& lo, const Value& hi, int64_t step, int64_t* start,
                  int64_t* end) {
  auto clamp = [&](const Value& v, int64_t dflt) {
    if (v.IsNone()) return dflt;
    int64_t i = ToIndex(v, "invalid slice index");
    if (i < 0) {
      i += n;
      if (i < 0) i = step < 0 ? -1 : 0;
    } else if (i >= n) {
      i = step < 0 ? n - 1 : n;
    }
    return i;
  };
  if (step > 0) {
    *start = clamp(lo, 0);
    *end = clamp(hi, n);
  } else {
    *start = clamp(lo, n - 1);
    *end = clamp(hi, -1);
  }
}

}  // namespace

int64_t RangeObject::Length() const {
  if (step > 0 ? start >= stop : start <= stop) return 0;
  // Computed in unsigned arithmetic: stop - start may exceed INT64_MAX.
  uint64_t span = step > 0 ? static_cast<uint64_t>(stop) - static_cast<uint64_t>(start)
                           : static_cast<uint64_t>(start) - static_cast<uint64_t>(stop);
  uint64_t s = step > 0 ? static_cast<uint64_t>(step) : 0 - static_cast<uint64_t>(step);
  return static_cast<int64_t>((span - 1) / s + 1);
}

int64_t Len(const Value& v) {
  switch (v.type()) {
    case Type::kString:
      return static_cast<int64_t>(v.str().size());
    case Type::kList:
      return static_cast<int64_t>(v.as<ListObject>()->items.size());
    case Type::kTuple:
      return static_cast<int64_t>(v.as<TupleObject>()->items.size());
    case Type::kDict:
      return static_cast<int64_t>(v.as<DictObject>()->table.size());
    case Type::kRange:
      return v.as<RangeObject>()->Length();
    default:
      return IsUnknown(v) ? 0 : -1;
  }
}

void CheckMutable(const Value& container, const char* verb) {
  std::string type(TypeName(container));
  if (container.object()->frozen()) Fail(std::string("cannot ") + verb + " frozen " + type);
  int iterators = container.is(Type::kList) ? container.as<ListObject>()->iterators
                                            : container.as<DictObject>()->iterators;
  if (iterators > 0) Fail(std::string("cannot ") + verb + " " + type + " during iteration");
}

Value Index(Thread& thread, const Value& x, const Value& index) {
  switch (x.type()) {
    case Type::kList: {
      auto& items = x.as<ListObject>()->items;
      return items[AbsIndex(index, static_cast<int64_t>(items.size()))];
    }
    case Type::kTuple: {
      auto& items = x.as<TupleObject>()->items;
      return items[AbsIndex(index, static_cast<int64_t>(items.size()))];
    }
    case Type::kString: {
      const std::string& s = x.str();
      return Value::String(std::string(1, s[AbsIndex(index, static_cast<int64_t>(s.size()))]));
    }
    case Type::kRange: {
      auto* r = x.as<RangeObject>();
      return Value::Int(r->At(AbsIndex(index, r->Length())));
    }
    case Type::kDict: {
      const Value* v = x.as<DictObject>()->table.Find(index);
      if (v == nullptr) Fail("key " + Repr(index) + " not in dict");
      return *v;
    }
    default:
      if (IsUnknown(x)) return MakeUnknown(x.as<StructObject>()->name + "[" + Repr(index) + "]");
      Fail("unhandled index operation " + std::string(TypeName(x)) + "[" +
           std::string(TypeName(index)) + "]");
  }
}

void SetIndex(const Value& x, const Value& index, Value v) {
  if (x.is(Type::kList)) {
    CheckMutable(x, "assign to element of");
    auto& items = x.as<ListObject>()->items;
    items[AbsIndex(index, static_cast<int64_t>(items.size()))] = std::move(v);
    return;
  }
  if (x.is(Type::kDict)) {
    Hash(index);
    CheckMutable(x, "insert into");
    x.as<DictObject>()->table.Insert(index, std::move(v));
    return;
  }
  Fail(std::string(TypeName(x)) + " value does not support item assignment");
}

Value Slice(Thread& thread, const Value& x, const Value& lo, const Value& hi,
            const Value& step_value) {
  int64_t step = 1;
  if (!step_value.IsNone()) {
    step = ToIndex(step_value, "invalid slice step");
    if (step == 0) Fail("zero is not a valid slice step");
  }
  int64_t n = Len(x);
  if (n < 0 || x.is(Type::kDict)) Fail("invalid slice operand " + std::string(TypeName(x)));
  int64_t start, end;
  SliceIndices(n, lo, hi, step, &start, &end);
  if (x.is(Type::kRange)) {
    auto* r = x.as<RangeObject>();
    return Value(new RangeObject(r->At(start), r->At(end), MulInt(r->step, step)));
  }
  if (x.is(Type::kString)) {
    const std::string& s = x.str();
    std::string out;
    if (step == 1) {
      if (start < end) out = s.substr(start, end - start);
    } else {
      for (int64_t i = start; step > 0 ? i < end : i > end; i += step) out += s[i];
    }
    thread.Charge(out.size());
    return Value::String(std::move(out));
  }
  const auto& items = x.is(Type::kList) ? x.as<ListObject>()->items : x.as<TupleObject>()->items;
  std::vector<Value> out;
  for (int64_t i = start; step > 0 ? i < end : i > end; i += step) out.push_back(items[i]);
  thread.Charge(out.size() * sizeof(Value));
  return x.is(Type::kList) ? MakeList(std::move(out)) : MakeTuple(std::move(out));
}

}  // namespace kraken::starlark
