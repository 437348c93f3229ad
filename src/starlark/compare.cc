// Truth, equality, ordering and hashing of values (the comparison half of operators.h).
#include <cmath>
#include <cstring>
#include <string>

#include "starlark/format.h"
#include "starlark/function.h"
#include "starlark/objects.h"
#include "starlark/operators.h"
#include "starlark/operators_internal.h"

namespace kraken::starlark {

using internal::IsNumber;
using internal::Sequence;
using internal::ToDouble;
namespace {

// Comparisons recurse into containers at most this deep, as in the
// reference implementation; this also stops on cyclic values.
constexpr int kMaxCompareDepth = 10;

void CheckDepth(int depth) {
  if (depth < 1) Fail("comparison exceeded maximum recursion depth");
}

bool EqualDepth(const Value& x, const Value& y, int depth);

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

}  // namespace kraken::starlark
