// The methods of list and dict values (kListMethods and kDictMethods in
// builtins.h).
#include <string>
#include <vector>

#include "starlark/builtins.h"
#include "starlark/format.h"
#include "starlark/interpreter.h"
#include "starlark/objects.h"
#include "starlark/operators.h"

namespace kraken::starlark {
namespace {

std::vector<Value>& Items(const Value& list) { return list.as<ListObject>()->items; }
HashTable& Table(const Value& dict) { return dict.as<DictObject>()->table; }

Value Append(Thread& thread, const Value& self, Args& args) {
  Value x;
  UnpackPositional("append", args, 1, {&x});
  CheckMutable(self, "append to");
  thread.Charge(sizeof(Value));
  Items(self).push_back(std::move(x));
  return Value();
}

Value ListClear(Thread&, const Value& self, Args& args) {
  UnpackPositional("clear", args, 0, {});
  CheckMutable(self, "clear");
  Items(self).clear();
  return Value();
}

Value Extend(Thread& thread, const Value& self, Args& args) {
  Value x;
  UnpackPositional("extend", args, 1, {&x});
  CheckMutable(self, "extend");
  std::vector<Value> extra = ToVector(thread, "extend", x);
  for (Value& v : extra) Items(self).push_back(std::move(v));
  return Value();
}

Value ListIndex(Thread&, const Value& self, Args& args) {
  Value x, start, end;
  UnpackPositional("index", args, 1, {&x, &start, &end});
  const auto& items = Items(self);
  int64_t n = static_cast<int64_t>(items.size());
  auto clamp = [&](const Value& v, int64_t dflt) {
    if (v.IsUnbound() || v.IsNone()) return dflt;
    int64_t i = IntArg("index", "start", v);
    if (i < 0) i += n;
    return i < 0 ? int64_t{0} : i > n ? n : i;
  };
  for (int64_t i = clamp(start, 0), hi = clamp(end, n); i < hi; ++i) {
    if (Equal(items[i], x)) return Value::Int(i);
  }
  Fail("index: value not in list");
}

Value Insert(Thread& thread, const Value& self, Args& args) {
  Value index, x;
  UnpackPositional("insert", args, 2, {&index, &x});
  CheckMutable(self, "insert into");
  auto& items = Items(self);
  int64_t n = static_cast<int64_t>(items.size());
  int64_t i = IntArg("insert", "index", index);
  if (i < 0) i += n;
  if (i < 0) i = 0;
  if (i > n) i = n;
  thread.Charge(sizeof(Value));
  items.insert(items.begin() + i, std::move(x));
  return Value();
}

Value ListPop(Thread&, const Value& self, Args& args) {
  Value index;
  UnpackPositional("pop", args, 0, {&index});
  CheckMutable(self, "pop from");
  auto& items = Items(self);
  int64_t n = static_cast<int64_t>(items.size());
  int64_t i = index.IsUnbound() ? -1 : IntArg("pop", "index", index);
  int64_t orig = i;
  if (i < 0) i += n;
  if (i < 0 || i >= n) {
    Fail("pop: index " + std::to_string(orig) + " out of range [" + std::to_string(-n) + ":" +
         std::to_string(n - 1) + "]");
  }
  Value v = std::move(items[i]);
  items.erase(items.begin() + i);
  return v;
}

Value Remove(Thread&, const Value& self, Args& args) {
  Value x;
  UnpackPositional("remove", args, 1, {&x});
  CheckMutable(self, "remove from");
  auto& items = Items(self);
  for (size_t i = 0; i < items.size(); ++i) {
    if (Equal(items[i], x)) {
      items.erase(items.begin() + static_cast<int64_t>(i));
      return Value();
    }
  }
  Fail("remove: element not found");
}

Value DictClear(Thread&, const Value& self, Args& args) {
  UnpackPositional("clear", args, 0, {});
  if (Table(self).size() > 0) CheckMutable(self, "clear");
  Table(self).Clear();
  return Value();
}

Value Get(Thread&, const Value& self, Args& args) {
  Value key, dflt;
  UnpackPositional("get", args, 1, {&key, &dflt});
  if (const Value* v = Table(self).Find(key)) return *v;
  return dflt.IsUnbound() ? Value() : dflt;
}

Value Entries(Thread& thread, const Value& self, Args& args, const char* name, int what) {
  UnpackPositional(name, args, 0, {});
  std::vector<Value> out;
  out.reserve(Table(self).size());
  for (const auto& e : Table(self).entries()) {
    if (e.key.IsUnbound()) continue;
    if (what == 0) {
      out.push_back(e.key);
    } else if (what == 1) {
      out.push_back(e.value);
    } else {
      out.push_back(MakeTuple({e.key, e.value}));
    }
  }
  thread.Charge(out.size() * (what == 2 ? 4 : 1) * sizeof(Value));
  return MakeList(std::move(out));
}
Value Keys(Thread& t, const Value& s, Args& a) { return Entries(t, s, a, "keys", 0); }
Value Values(Thread& t, const Value& s, Args& a) { return Entries(t, s, a, "values", 1); }
Value ItemsM(Thread& t, const Value& s, Args& a) { return Entries(t, s, a, "items", 2); }

Value DictPop(Thread&, const Value& self, Args& args) {
  Value key, dflt;
  UnpackPositional("pop", args, 1, {&key, &dflt});
  Hash(key);
  CheckMutable(self, "delete from");
  Value v = Table(self).Erase(key);
  if (!v.IsUnbound()) return v;
  if (!dflt.IsUnbound()) return dflt;
  Fail("pop: missing key " + Repr(key));
}

Value PopItem(Thread&, const Value& self, Args& args) {
  UnpackPositional("popitem", args, 0, {});
  if (Table(self).size() == 0) Fail("popitem: empty dict");
  CheckMutable(self, "delete from");
  for (const auto& e : Table(self).entries()) {
    if (e.key.IsUnbound()) continue;
    Value key = e.key;
    Value value = Table(self).Erase(key);
    return MakeTuple({key, value});
  }
  return Value();
}

Value SetDefault(Thread& thread, const Value& self, Args& args) {
  Value key, dflt;
  UnpackArgs("setdefault", args, {"key", "default?"}, {&key, &dflt});
  if (const Value* v = Table(self).Find(key)) return *v;
  if (dflt.IsUnbound()) dflt = Value();
  CheckMutable(self, "insert into");
  thread.Charge(2 * sizeof(Value) + 8);
  Table(self).Insert(key, dflt);
  return dflt;
}

Value Update(Thread& thread, const Value& self, Args& args) {
  CheckMutable(self, "insert into");
  DictUpdate(thread, "update", self.as<DictObject>(), args);
  return Value();
}

}  // namespace

const std::vector<MethodEntry> kListMethods = {
    {"append", Append}, {"clear", ListClear}, {"extend", Extend}, {"index", ListIndex},
    {"insert", Insert}, {"pop", ListPop},     {"remove", Remove},
};

const std::vector<MethodEntry> kDictMethods = {
    {"clear", DictClear}, {"get", Get},         {"items", ItemsM},          {"keys", Keys},
    {"pop", DictPop},     {"popitem", PopItem}, {"setdefault", SetDefault}, {"update", Update},
    {"values", Values},
};

}  // namespace kraken::starlark
