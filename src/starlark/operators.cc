#include "starlark/operators.h"

#include <cmath>
#include <cstring>
#include <string>

#include "starlark/format.h"
#include "starlark/function.h"
#include "starlark/objects.h"

namespace kraken::starlark {
namespace {

bool IsNumber(const Value& v) { return v.is(Type::kInt) || v.is(Type::kFloat); }
double ToDouble(const Value& v) {
  return v.is(Type::kInt) ? static_cast<double>(v.int_value()) : v.float_value();
}

[[noreturn]] void UnknownBinary(Tok op, const Value& x, const Value& y) {
  std::string name = TokenName(op);
  if (name.size() > 2 && name.front() == '\'') name = name.substr(1, name.size() - 2);
  Fail("unknown binary op: " + std::string(TypeName(x)) + " " + name + " " +
       std::string(TypeName(y)));
}

// Comparisons recurse into containers at most this deep, as in the
// reference implementation; this also stops on cyclic values.
constexpr int kMaxCompareDepth = 10;

void CheckDepth(int depth) {
  if (depth < 1) Fail("comparison exceeded maximum recursion depth");
}

bool EqualDepth(const Value& x, const Value& y, int depth);

const std::vector<Value>* Sequence(const Value& v) {
  if (v.is(Type::kList)) return &v.as<ListObject>()->items;
  if (v.is(Type::kTuple)) return &v.as<TupleObject>()->items;
  return nullptr;
}

// Compares an int with a non-NaN float exactly, without rounding the int.
int CompareIntFloat(int64_t i, double f) {
  if (f >= 9223372036854775808.0) return -1;
  if (f < -9223372036854775808.0) return 1;
  double t = std::trunc(f);
  int64_t ti = static_cast<int64_t>(t);
  if (i != ti) return i < ti ? -1 : 1;
  double frac = f - t;
  return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

int CompareNumbers(const Value& x, const Value& y) {
  if (x.is(Type::kInt) && y.is(Type::kInt)) {
    return x.int_value() < y.int_value() ? -1 : x.int_value() > y.int_value() ? 1 : 0;
  }
  if (x.is(Type::kInt) && !std::isnan(y.float_value()))
    return CompareIntFloat(x.int_value(), y.float_value());
  if (y.is(Type::kInt) && !std::isnan(x.float_value()))
    return -CompareIntFloat(y.int_value(), x.float_value());
  double a = ToDouble(x), b = ToDouble(y);
  if (std::isnan(a) || std::isnan(b)) {
    // NaN sorts after all other values and equals itself, as in the spec.
    if (std::isnan(a) && std::isnan(b)) return 0;
    return std::isnan(a) ? 1 : -1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

// Returns -2 when the values are unordered.
int Order(const Value& x, const Value& y, int depth) {
  CheckDepth(depth);
  if (IsNumber(x) && IsNumber(y)) return CompareNumbers(x, y);
  if (x.type() != y.type()) return -2;
  switch (x.type()) {
    case Type::kString: {
      int c = x.str().compare(y.str());
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case Type::kBool:
      return static_cast<int>(x.bool_value()) - static_cast<int>(y.bool_value());
    case Type::kList:
    case Type::kTuple: {
      const auto& a = *Sequence(x);
      const auto& b = *Sequence(y);
      for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        if (EqualDepth(a[i], b[i], depth - 1)) continue;
        int c = Order(a[i], b[i], depth - 1);
        if (c == -2) {
          Fail(std::string(TypeName(a[i])) + " < " + std::string(TypeName(b[i])) +
               " not implemented");
        }
        return c;
      }
      return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
    }
    default:
      return -2;
  }
}

}  // namespace

bool Truth(const Value& v) {
  switch (v.type()) {
    case Type::kNone:
      return false;
    case Type::kBool:
      return v.bool_value();
    case Type::kInt:
      return v.int_value() != 0;
    case Type::kFloat:
      return v.float_value() != 0;
    case Type::kString:
      return !v.str().empty();
    case Type::kList:
      return !v.as<ListObject>()->items.empty();
    case Type::kTuple:
      return !v.as<TupleObject>()->items.empty();
    case Type::kDict:
      return v.as<DictObject>()->table.size() != 0;
    case Type::kRange:
      return v.as<RangeObject>()->Length() != 0;
    case Type::kStruct:
      return !v.as<StructObject>()->unknown;
    default:
      return true;
  }
}

namespace {

bool EqualDepth(const Value& x, const Value& y, int depth) {
  CheckDepth(depth);
  if (x.type() != y.type()) {
    if (IsNumber(x) && IsNumber(y)) return CompareNumbers(x, y) == 0;
    return (x.IsNone() && IsUnknown(y)) || (IsUnknown(x) && y.IsNone());
  }
  switch (x.type()) {
    case Type::kNone:
      return true;
    case Type::kBool:
      return x.bool_value() == y.bool_value();
    case Type::kInt:
      return x.int_value() == y.int_value();
    case Type::kFloat:
      return CompareNumbers(x, y) == 0;  // NaN equals itself
    case Type::kString:
      return x.object() == y.object() || x.str() == y.str();
    case Type::kList:
    case Type::kTuple: {
      const auto& a = *Sequence(x);
      const auto& b = *Sequence(y);
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!EqualDepth(a[i], b[i], depth - 1)) return false;
      }
      return true;
    }
    case Type::kDict: {
      const HashTable& a = x.as<DictObject>()->table;
      const HashTable& b = y.as<DictObject>()->table;
      if (a.size() != b.size()) return false;
      for (const auto& e : a.entries()) {
        if (e.key.IsUnbound()) continue;
        const Value* other = b.Find(e.key);
        if (other == nullptr || !EqualDepth(e.value, *other, depth - 1)) return false;
      }
      return true;
    }
    case Type::kRange: {
      auto* a = x.as<RangeObject>();
      auto* b = y.as<RangeObject>();
      int64_t n = a->Length();
      if (n != b->Length()) return false;
      if (n == 0) return true;
      return a->start == b->start && (n == 1 || a->step == b->step);
    }
    case Type::kStruct: {
      auto* a = x.as<StructObject>();
      auto* b = y.as<StructObject>();
      if (a == b) return true;
      if (a->fields.size() != b->fields.size()) return false;
      for (size_t i = 0; i < a->fields.size(); ++i) {
        if (a->fields[i].first != b->fields[i].first ||
            !EqualDepth(a->fields[i].second, b->fields[i].second, depth - 1)) {
          return false;
        }
      }
      return true;
    }
    default:
      return x.object() == y.object();
  }
}

}  // namespace

bool Equal(const Value& x, const Value& y) {
  if (x.is(Type::kString))
    return y.is(Type::kString) && (x.object() == y.object() || x.str() == y.str());
  return EqualDepth(x, y, kMaxCompareDepth);
}

bool Compare(Tok op, const Value& x, const Value& y) {
  int c = Order(x, y, kMaxCompareDepth);
  if (c == -2) {
    std::string name = TokenName(op);
    Fail(std::string(TypeName(x)) + " " + name.substr(1, name.size() - 2) + " " +
         std::string(TypeName(y)) + " not implemented");
  }
  switch (op) {
    case Tok::kLt:
      return c < 0;
    case Tok::kLe:
      return c <= 0;
    case Tok::kGt:
      return c > 0;
    default:
      return c >= 0;
  }
}

int ThreeWayCompare(const Value& x, const Value& y) {
  int c = Order(x, y, kMaxCompareDepth);
  if (c == -2)
    Fail(std::string(TypeName(x)) + " < " + std::string(TypeName(y)) + " not implemented");
  return c;
}

namespace {

uint32_t HashDepth(const Value& v, int depth) {
  if (depth > 1000) Fail("hash: value nested too deeply");
  switch (v.type()) {
    case Type::kNone:
      return 0;
    case Type::kBool:
      return v.bool_value() ? 1 : 2;
    case Type::kInt: {
      uint64_t u = static_cast<uint64_t>(v.int_value());
      return static_cast<uint32_t>(u ^ (u >> 32)) * 2654435761u;
    }
    case Type::kFloat: {
      double f = v.float_value();
      if (std::isfinite(f) && f == std::trunc(f) && std::fabs(f) < 9.2e18) {
        return Hash(Value::Int(static_cast<int64_t>(f)));
      }
      if (!std::isfinite(f)) return 1618033;
      uint64_t bits;
      std::memcpy(&bits, &f, sizeof bits);
      return static_cast<uint32_t>(bits ^ (bits >> 32));
    }
    case Type::kString: {
      auto* s = v.as<StringObject>();
      if (s->hash != 0) return s->hash;
      uint32_t h = 2166136261u;  // FNV-1a
      for (unsigned char c : s->value) h = (h ^ c) * 16777619u;
      s->hash = h == 0 ? 1 : h;
      return s->hash;
    }
    case Type::kTuple: {
      uint32_t h = 9887;
      for (const Value& x : v.as<TupleObject>()->items) h = h * 31 + HashDepth(x, depth + 1);
      return h;
    }
    case Type::kFunction:
    case Type::kBuiltin: {
      auto p = reinterpret_cast<uintptr_t>(v.object());
      return static_cast<uint32_t>(p ^ (p >> 32));
    }
    default:
      Fail("unhashable type: " + std::string(TypeName(v)));
  }
}

}  // namespace

uint32_t Hash(const Value& v) { return HashDepth(v, 0); }

int64_t AddInt(int64_t x, int64_t y) {
  int64_t r;
  if (__builtin_add_overflow(x, y, &r)) Fail("integer overflow");
  return r;
}

int64_t MulInt(int64_t x, int64_t y) {
  int64_t r;
  if (__builtin_mul_overflow(x, y, &r)) Fail("integer overflow");
  return r;
}

namespace {

Value Repeat(Thread& thread, const Value& seq, int64_t n) {
  if (n < 0) n = 0;
  if (seq.is(Type::kString)) {
    const std::string& s = seq.str();
    if (!s.empty() && n > 0) thread.CheckCharge(s.size() > SIZE_MAX / n ? SIZE_MAX : s.size() * n);
    std::string out;
    out.reserve(s.size() * n);
    for (int64_t i = 0; i < n; ++i) out += s;
    thread.Charge(out.size());
    return Value::String(std::move(out));
  }
  const auto& items = *Sequence(seq);
  if (!items.empty() && n > 0) {
    thread.CheckCharge(items.size() > SIZE_MAX / 16 / n ? SIZE_MAX
                                                        : items.size() * n * sizeof(Value));
  }
  std::vector<Value> out;
  out.reserve(items.size() * n);
  for (int64_t i = 0; i < n; ++i) out.insert(out.end(), items.begin(), items.end());
  thread.Charge(out.size() * sizeof(Value));
  return seq.is(Type::kList) ? MakeList(std::move(out)) : MakeTuple(std::move(out));
}

Value Concat(Thread& thread, const Value& x, const Value& y) {
  const auto& a = *Sequence(x);
  const auto& b = *Sequence(y);
  thread.Charge((a.size() + b.size()) * sizeof(Value));
  std::vector<Value> out;
  out.reserve(a.size() + b.size());
  out.insert(out.end(), a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return x.is(Type::kList) ? MakeList(std::move(out)) : MakeTuple(std::move(out));
}

bool Contains(const Value& container, const Value& x) {
  switch (container.type()) {
    case Type::kList:
    case Type::kTuple:
      for (const Value& item : *Sequence(container)) {
        if (Equal(item, x)) return true;
      }
      return false;
    case Type::kDict:
      // Like the reference implementation, an unhashable key is simply absent.
      try {
        return container.as<DictObject>()->table.Find(x) != nullptr;
      } catch (const EvalError&) {
        return false;
      }
    case Type::kString:
      if (!x.is(Type::kString)) {
        Fail("'in <string>' requires string as left operand, not " + std::string(TypeName(x)));
      }
      return container.str().find(x.str()) != std::string::npos;
    case Type::kRange: {
      auto* r = container.as<RangeObject>();
      int64_t i;
      if (x.is(Type::kInt)) {
        i = x.int_value();
      } else if (x.is(Type::kFloat) && std::isfinite(x.float_value())) {
        // Floats are truncated, as the reference implementation does.
        double t = std::trunc(x.float_value());
        if (t >= 9223372036854775808.0 || t < -9223372036854775808.0) return false;
        i = static_cast<int64_t>(t);
      } else {
        Fail("'in <range>' requires integer as left operand, not " + std::string(TypeName(x)));
      }
      if (r->step > 0 ? (i < r->start || i >= r->stop) : (i > r->start || i <= r->stop))
        return false;
      return (i - r->start) % r->step == 0;
    }
    default:
      if (IsUnknown(container)) return false;
      Fail("unknown binary op: " + std::string(TypeName(x)) + " in " +
           std::string(TypeName(container)));
  }
}

Value IntOp(Tok op, int64_t a, int64_t b) {
  int64_t r;
  switch (op) {
    case Tok::kPlus:
      return Value::Int(AddInt(a, b));
    case Tok::kMinus:
      if (__builtin_sub_overflow(a, b, &r)) Fail("integer overflow");
      return Value::Int(r);
    case Tok::kStar:
      return Value::Int(MulInt(a, b));
    case Tok::kSlash:
      if (b == 0) Fail("floating-point division by zero");
      return Value::Float(static_cast<double>(a) / static_cast<double>(b));
    case Tok::kSlashSlash: {
      if (b == 0) Fail("floored division by zero");
      if (a == INT64_MIN && b == -1) Fail("integer overflow");
      int64_t q = a / b;
      if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
      return Value::Int(q);
    }
    case Tok::kPercent: {
      if (b == 0) Fail("integer modulo by zero");
      if (b == -1) return Value::Int(0);
      int64_t m = a % b;
      if (m != 0 && ((m < 0) != (b < 0))) m += b;
      return Value::Int(m);
    }
    case Tok::kAmp:
      return Value::Int(a & b);
    case Tok::kPipe:
      return Value::Int(a | b);
    case Tok::kCaret:
      return Value::Int(a ^ b);
    case Tok::kLtLt: {
      if (b < 0) Fail("negative shift count: " + std::to_string(b));
      if (b >= 512) Fail("shift count too large: " + std::to_string(b));
      if (a == 0) return Value::Int(0);
      if (b >= 63 || (a > 0 ? a > (INT64_MAX >> b) : a < (INT64_MIN >> b)))
        Fail("integer overflow");
      return Value::Int(static_cast<int64_t>(static_cast<uint64_t>(a) << b));
    }
    case Tok::kGtGt:
      if (b < 0) Fail("negative shift count: " + std::to_string(b));
      return Value::Int(b >= 64 ? (a < 0 ? -1 : 0) : a >> b);
    default:
      UnknownBinary(op, Value::Int(a), Value::Int(b));
  }
}

Value FloatOp(Tok op, double a, double b, const Value& x, const Value& y) {
  switch (op) {
    case Tok::kPlus:
      return Value::Float(a + b);
    case Tok::kMinus:
      return Value::Float(a - b);
    case Tok::kStar:
      return Value::Float(a * b);
    case Tok::kSlash:
      if (b == 0) Fail("floating-point division by zero");
      return Value::Float(a / b);
    case Tok::kSlashSlash:
      if (b == 0) Fail("floored division by zero");
      return Value::Float(std::floor(a / b));
    case Tok::kPercent: {
      if (b == 0) Fail("floating-point modulo by zero");
      double m = std::fmod(a, b);
      if (m != 0 && ((m < 0) != (b < 0))) m += b;
      return Value::Float(m);
    }
    default:
      UnknownBinary(op, x, y);
  }
}

}  // namespace

Value Binary(Thread& thread, Tok op, const Value& x, const Value& y) {
  switch (op) {
    case Tok::kEqEq:
      return Value::Bool(Equal(x, y));
    case Tok::kNe:
      return Value::Bool(!Equal(x, y));
    case Tok::kLt:
    case Tok::kLe:
    case Tok::kGt:
    case Tok::kGe:
      return Value::Bool(Compare(op, x, y));
    case Tok::kIn:
      return Value::Bool(Contains(y, x));
    case Tok::kNotIn:
      return Value::Bool(!Contains(y, x));
    default:
      break;
  }
  if (x.is(Type::kInt) && y.is(Type::kInt)) return IntOp(op, x.int_value(), y.int_value());
  if (IsNumber(x) && IsNumber(y)) {
    if (op == Tok::kAmp || op == Tok::kPipe || op == Tok::kCaret || op == Tok::kLtLt ||
        op == Tok::kGtGt) {
      UnknownBinary(op, x, y);
    }
    return FloatOp(op, ToDouble(x), ToDouble(y), x, y);
  }
  switch (op) {
    case Tok::kPlus:
      if (x.is(Type::kString) && y.is(Type::kString)) {
        thread.Charge(x.str().size() + y.str().size());
        std::string s;
        s.reserve(x.str().size() + y.str().size());
        s += x.str();
        s += y.str();
        return Value::String(std::move(s));
      }
      if ((x.is(Type::kList) && y.is(Type::kList)) || (x.is(Type::kTuple) && y.is(Type::kTuple))) {
        return Concat(thread, x, y);
      }
      break;
    case Tok::kStar:
      if (x.is(Type::kInt) && (y.is(Type::kString) || y.is(Type::kList) || y.is(Type::kTuple))) {
        return Repeat(thread, y, x.int_value());
      }
      if (y.is(Type::kInt) && (x.is(Type::kString) || x.is(Type::kList) || x.is(Type::kTuple))) {
        return Repeat(thread, x, y.int_value());
      }
      break;
    case Tok::kPercent:
      if (x.is(Type::kString)) return PercentFormat(thread, x.str(), y);
      break;
    default:
      break;
  }
  UnknownBinary(op, x, y);
}

Value Unary(Tok op, const Value& x) {
  switch (op) {
    case Tok::kNot:
      return Value::Bool(!Truth(x));
    case Tok::kMinus:
      if (x.is(Type::kInt)) {
        if (x.int_value() == INT64_MIN) Fail("integer overflow");
        return Value::Int(-x.int_value());
      }
      if (x.is(Type::kFloat)) return Value::Float(-x.float_value());
      break;
    case Tok::kPlus:
      if (x.is(Type::kInt) || x.is(Type::kFloat)) return x;
      break;
    case Tok::kTilde:
      if (x.is(Type::kInt)) return Value::Int(~x.int_value());
      break;
    default:
      break;
  }
  std::string name = TokenName(op);
  if (name.front() == '\'') name = name.substr(1, name.size() - 2);
  Fail("unknown unary op: " + name + " " + std::string(TypeName(x)));
}

}  // namespace kraken::starlark
