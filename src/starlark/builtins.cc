#include "starlark/builtins.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "starlark/attributes.h"
#include "starlark/format.h"
#include "starlark/interpreter.h"
#include "starlark/objects.h"
#include "starlark/operators.h"
#include "starlark/strings.h"

namespace kraken::starlark {
namespace {

bool IsCallable(const Value& v) { return v.is(Type::kFunction) || v.is(Type::kBuiltin); }

Value AnyAll(Thread& thread, Args& args, const char* name, bool any) {
  Value x;
  UnpackPositional(name, args, 1, {&x});
  bool result = !any;
  for (const Value& v : ToVector(thread, name, x)) {
    if (Truth(v) == any) {
      result = any;
      break;
    }
  }
  return Value::Bool(result);
}

Value Any(Thread& t, const Value&, Args& a) { return AnyAll(t, a, "any", true); }
Value All(Thread& t, const Value&, Args& a) { return AnyAll(t, a, "all", false); }

Value Bool(Thread&, const Value&, Args& args) {
  Value x;
  UnpackPositional("bool", args, 0, {&x});
  return Value::Bool(!x.IsUnbound() && Truth(x));
}

Value Chr(Thread& thread, const Value&, Args& args) {
  Value x;
  UnpackPositional("chr", args, 1, {&x});
  int64_t i = IntArg("chr", "i", x);
  if (i < 0) Fail("chr: Unicode code point " + std::to_string(i) + " out of range (<0)");
  if (i > 0x10FFFF)
    Fail("chr: Unicode code point U+" + std::to_string(i) + " out of range (>0x10FFFF)");
  std::string s;
  AppendUtf8(static_cast<uint32_t>(i), &s);
  return Value::String(std::move(s));
}

void DictUpdateImpl(Thread& thread, const char* name, DictObject* dict, Args& args) {
  if (args.positional.size() > 1)
    Fail(std::string(name) + ": got " + std::to_string(args.positional.size()) +
         " arguments, want at most 1");
  if (!args.positional.empty()) {
    const Value& src = args.positional[0];
    if (src.is(Type::kDict)) {
      dict->table.Reserve(dict->table.entries().size() + src.as<DictObject>()->table.size() +
                          args.named.size());
      for (const auto& e : src.as<DictObject>()->table.entries()) {
        if (e.key.IsUnbound()) continue;
        thread.Charge(2 * sizeof(Value) + 8);
        dict->table.Insert(e.key, e.value);
      }
    } else {
      std::vector<Value> items = ToVector(thread, name, src);
      for (size_t i = 0; i < items.size(); ++i) {
        const Value& pair = items[i];
        if (!(pair.is(Type::kList) || pair.is(Type::kTuple) || pair.is(Type::kDict) ||
              pair.is(Type::kRange))) {
          Fail(std::string(name) + ": cannot convert dictionary update sequence element #" +
               std::to_string(i) + " of type " + std::string(TypeName(pair)) +
               " to a key/value pair");
        }
        std::vector<Value> kv = ToVector(thread, name, pair);
        if (kv.size() != 2) {
          Fail(std::string(name) + ": dictionary update sequence element #" + std::to_string(i) +
               " has length " + std::to_string(kv.size()) + ", want 2");
        }
        thread.Charge(2 * sizeof(Value) + 8);
        dict->table.Insert(kv[0], kv[1]);
      }
    }
  }
  dict->table.Reserve(dict->table.entries().size() + args.named.size());
  for (auto& [key, value] : args.named) {
    thread.Charge(2 * sizeof(Value) + 8);
    dict->table.Insert(key, value);
  }
}

Value Dict(Thread& thread, const Value&, Args& args) {
  Value result = MakeDict();
  DictUpdateImpl(thread, "dict", result.as<DictObject>(), args);
  return result;
}

Value Dir(Thread& thread, const Value&, Args& args) {
  Value x;
  UnpackPositional("dir", args, 1, {&x});
  std::vector<Value> names;
  for (std::string& n : AttrNames(x)) names.push_back(Value::String(std::move(n)));
  return MakeList(std::move(names));
}

Value Enumerate(Thread& thread, const Value&, Args& args) {
  Value x, start;
  UnpackArgs("enumerate", args, {"x", "start?"}, {&x, &start});
  int64_t i = start.IsUnbound() ? 0 : IntArg("enumerate", "start", start);
  std::vector<Value> out;
  for (Value& v : ToVector(thread, "enumerate", x)) {
    thread.Charge(3 * sizeof(Value) + 32);
    out.push_back(MakeTuple({Value::Int(i++), std::move(v)}));
  }
  return MakeList(std::move(out));
}

Value FailBuiltin(Thread&, const Value&, Args& args) {
  std::string sep = " ";
  std::string msg;
  for (auto& [key, value] : args.named) {
    if (key.str() != "sep") Fail("fail: unexpected keyword argument " + key.str());
    sep = StringArg("fail", "sep", value);
  }
  for (size_t i = 0; i < args.positional.size(); ++i) {
    if (i > 0) msg += sep;
    msg += Str(args.positional[i]);
  }
  Fail(msg);
}

Value Float(Thread&, const Value&, Args& args) {
  Value x;
  UnpackPositional("float", args, 0, {&x});
  switch (x.type()) {
    case Type::kUnbound:
      return Value::Float(0);
    case Type::kBool:
      return Value::Float(x.bool_value() ? 1 : 0);
    case Type::kInt:
      return Value::Float(static_cast<double>(x.int_value()));
    case Type::kFloat:
      return x;
    case Type::kString: {
      std::string s = x.str();
      std::string lower = s;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string body =
          lower.empty() || (lower[0] != '+' && lower[0] != '-') ? lower : lower.substr(1);
      double sign = !lower.empty() && lower[0] == '-' ? -1 : 1;
      if (body == "inf" || body == "infinity") return Value::Float(sign * INFINITY);
      if (body == "nan") return Value::Float(NAN);
      bool ok = !body.empty() && body.find_first_not_of("0123456789.e+-") == std::string::npos &&
                (std::isdigit(static_cast<unsigned char>(body[0])) || body[0] == '.');
      char* end = nullptr;
      double d = ok ? std::strtod(s.c_str(), &end) : 0;
      if (!ok || *end != '\0') Fail("float: invalid float literal: " + s);
      if (std::isinf(d)) Fail("float: floating-point number too large");
      return Value::Float(d);
    }
    default:
      Fail("float: got " + std::string(TypeName(x)) + ", want number or string");
  }
}

Value GetAttrBuiltin(Thread& thread, const Value&, Args& args) {
  Value x, name, dflt;
  UnpackPositional("getattr", args, 2, {&x, &name, &dflt});
  const std::string& n = StringArg("getattr", "name", name);
  if (!HasAttr(x, n)) {
    if (!dflt.IsUnbound()) return dflt;
  }
  return GetAttr(thread, x, n);
}

Value HasAttrBuiltin(Thread&, const Value&, Args& args) {
  Value x, name;
  UnpackPositional("hasattr", args, 2, {&x, &name});
  return Value::Bool(HasAttr(x, StringArg("hasattr", "name", name)));
}

Value HashBuiltin(Thread&, const Value&, Args& args) {
  Value x;
  UnpackPositional("hash", args, 1, {&x});
  const std::string& s = StringArg("hash", "x", x);
  // Java's String.hashCode over UTF-16 code units, as the spec requires
  // for reproducibility.
  int32_t h = 0;
  for (size_t i = 0; i < s.size();) {
    uint32_t r;
    int len = DecodeUtf8(s, i, &r);
    if (len == 0) {
      r = 0xFFFD;
      len = 1;
    }
    i += len;
    if (r >= 0x10000) {
      r -= 0x10000;
      h = static_cast<int32_t>(31u * static_cast<uint32_t>(h) + (0xD800 + (r >> 10)));
      h = static_cast<int32_t>(31u * static_cast<uint32_t>(h) + (0xDC00 + (r & 0x3FF)));
    } else {
      h = static_cast<int32_t>(31u * static_cast<uint32_t>(h) + r);
    }
  }
  return Value::Int(h);
}

Value Len(Thread&, const Value&, Args& args) {
  Value x;
  UnpackPositional("len", args, 1, {&x});
  int64_t n = Len(x);
  if (n < 0) Fail("len: value of type " + std::string(TypeName(x)) + " has no len");
  return Value::Int(n);
}

Value List(Thread& thread, const Value&, Args& args) {
  Value x;
  UnpackPositional("list", args, 0, {&x});
  if (x.IsUnbound()) return MakeList();
  return MakeList(ToVector(thread, "list", x));
}

Value MinMax(Thread& thread, Args& args, const char* name, int sign) {
  Value key = Value::Unbound();
  for (auto& [k, v] : args.named) {
    if (k.str() != "key") Fail(std::string(name) + ": unexpected keyword argument " + k.str());
    key = v;
  }
  if (args.positional.empty()) Fail(std::string(name) + ": got 0 arguments, want at least 1");
  std::vector<Value> items =
      args.positional.size() == 1 ? ToVector(thread, name, args.positional[0]) : args.positional;
  if (items.empty()) Fail(std::string(name) + ": empty sequence");
  if (!key.IsUnbound() && !IsCallable(key)) {
    Fail(std::string(name) + ": for parameter key: got " + std::string(TypeName(key)) +
         ", want callable");
  }
  auto keyed = [&](const Value& v) {
    if (key.IsUnbound()) return v;
    Args a;
    a.positional.push_back(v);
    return Call(thread, key, a);
  };
  Value best = items[0];
  Value best_key = keyed(best);
  for (size_t i = 1; i < items.size(); ++i) {
    Value k = keyed(items[i]);
    if (ThreeWayCompare(k, best_key) * sign > 0) {
      best = items[i];
      best_key = k;
    }
  }
  return best;
}

Value Max(Thread& t, const Value&, Args& a) { return MinMax(t, a, "max", 1); }
Value Min(Thread& t, const Value&, Args& a) { return MinMax(t, a, "min", -1); }

Value Ord(Thread&, const Value&, Args& args) {
  Value x;
  UnpackPositional("ord", args, 1, {&x});
  const std::string& s = StringArg("ord", "s", x);
  uint32_t r;
  int len = s.empty() ? 0 : DecodeUtf8(s, 0, &r);
  if (len == 0 && !s.empty()) {
    r = 0xFFFD;  // an invalid byte decodes as the replacement character
    len = 1;
  }
  if (len == 0 || static_cast<size_t>(len) != s.size()) {
    Fail("ord: string encodes " + std::to_string(CountRunes(s)) + " Unicode code points, want 1");
  }
  return Value::Int(r);
}

Value Print(Thread& thread, const Value&, Args& args) {
  std::string sep = " ";
  for (auto& [key, value] : args.named) {
    if (key.str() != "sep") Fail("print: unexpected keyword argument " + key.str());
    sep = StringArg("print", "sep", value);
  }
  std::string line;
  for (size_t i = 0; i < args.positional.size(); ++i) {
    if (i > 0) line += sep;
    line += Str(args.positional[i]);
  }
  thread.Charge(line.size());
  thread.Print(line);
  return Value();
}

Value Range(Thread& thread, const Value&, Args& args) {
  Value a, b, c;
  UnpackPositional("range", args, 1, {&a, &b, &c});
  int64_t start = 0, stop, step = 1;
  if (b.IsUnbound()) {
    stop = IntArg("range", "stop", a);
  } else {
    start = IntArg("range", "start", a);
    stop = IntArg("range", "stop", b);
    if (!c.IsUnbound()) step = IntArg("range", "step", c);
  }
  if (step == 0) Fail("range: step argument must not be zero");
  thread.Charge(sizeof(RangeObject));
  return Value(new RangeObject(start, stop, step));
}

Value ReprBuiltin(Thread& thread, const Value&, Args& args) {
  Value x;
  UnpackPositional("repr", args, 1, {&x});
  std::string s = Repr(x);
  thread.Charge(s.size());
  return Value::String(std::move(s));
}

Value Reversed(Thread& thread, const Value&, Args& args) {
  Value x;
  UnpackPositional("reversed", args, 1, {&x});
  std::vector<Value> items = ToVector(thread, "reversed", x);
  std::reverse(items.begin(), items.end());
  return MakeList(std::move(items));
}

Value Sorted(Thread& thread, const Value&, Args& args) {
  Value x, key, reverse;
  UnpackArgs("sorted", args, {"iterable", "key?", "reverse?"}, {&x, &key, &reverse});
  std::vector<Value> items = ToVector(thread, "sorted", x);
  std::vector<Value> keys;
  if (!key.IsUnbound() && !IsCallable(key)) {
    Fail("sorted: for parameter key: got " + std::string(TypeName(key)) + ", want callable");
  }
  if (!key.IsUnbound()) {
    for (const Value& v : items) {
      Args a;
      a.positional.push_back(v);
      keys.push_back(Call(thread, key, a));
    }
  } else {
    keys = items;
  }
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  bool rev = !reverse.IsUnbound() && Truth(reverse);
  thread.Step(items.size());
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) {
    int c = ThreeWayCompare(keys[i], keys[j]);
    return rev ? c > 0 : c < 0;
  });
  std::vector<Value> out;
  out.reserve(items.size());
  for (size_t i : order) out.push_back(items[i]);
  return MakeList(std::move(out));
}

Value StrBuiltin(Thread& thread, const Value&, Args& args) {
  Value x;
  UnpackPositional("str", args, 1, {&x});
  if (x.is(Type::kString)) return x;
  std::string s = Str(x);
  thread.Charge(s.size());
  return Value::String(std::move(s));
}

Value Tuple(Thread& thread, const Value&, Args& args) {
  Value x;
  UnpackPositional("tuple", args, 0, {&x});
  if (x.IsUnbound()) return MakeTuple();
  if (x.is(Type::kTuple)) return x;
  return MakeTuple(ToVector(thread, "tuple", x));
}

Value TypeBuiltin(Thread&, const Value&, Args& args) {
  Value x;
  UnpackPositional("type", args, 1, {&x});
  return Value::String(std::string(TypeName(x)));
}

Value Zip(Thread& thread, const Value&, Args& args) {
  if (!args.named.empty()) Fail("zip: unexpected keyword arguments");
  std::vector<std::vector<Value>> columns;
  size_t n = SIZE_MAX;
  for (const Value& v : args.positional) {
    columns.push_back(ToVector(thread, "zip", v));
    n = std::min(n, columns.back().size());
  }
  if (columns.empty()) n = 0;
  std::vector<Value> out;
  for (size_t i = 0; i < n; ++i) {
    std::vector<Value> row;
    for (auto& column : columns) row.push_back(column[i]);
    thread.Charge(row.size() * sizeof(Value) + 32);
    out.push_back(MakeTuple(std::move(row)));
  }
  return MakeList(std::move(out));
}

const std::unordered_map<std::string_view, BuiltinFn>& Universe() {
  static const auto* universe = new std::unordered_map<std::string_view, BuiltinFn>{
      {"None", nullptr},
      {"True", nullptr},
      {"False", nullptr},
      {"any", Any},
      {"all", All},
      {"bool", Bool},
      {"chr", Chr},
      {"dict", Dict},
      {"dir", Dir},
      {"enumerate", Enumerate},
      {"fail", FailBuiltin},
      {"float", Float},
      {"getattr", GetAttrBuiltin},
      {"hasattr", HasAttrBuiltin},
      {"hash", HashBuiltin},
      {"int", IntBuiltin},
      {"len", Len},
      {"list", List},
      {"max", Max},
      {"min", Min},
      {"ord", Ord},
      {"print", Print},
      {"range", Range},
      {"repr", ReprBuiltin},
      {"reversed", Reversed},
      {"sorted", Sorted},
      {"str", StrBuiltin},
      {"tuple", Tuple},
      {"type", TypeBuiltin},
      {"zip", Zip},
  };
  return *universe;
}

}  // namespace

bool IsUniversal(std::string_view name) { return Universe().count(name) != 0; }

Value MakeUniversal(std::string_view name) {
  if (name == "None") return Value();
  if (name == "True") return Value::Bool(true);
  if (name == "False") return Value::Bool(false);
  auto it = Universe().find(name);
  Value v(new BuiltinObject(it->first.data(), it->second));
  v.object()->set_frozen();
  return v;
}

void DictUpdate(Thread& thread, const char* name, DictObject* dict, Args& args) {
  DictUpdateImpl(thread, name, dict, args);
}

}  // namespace kraken::starlark
