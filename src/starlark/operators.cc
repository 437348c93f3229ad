#include "starlark/operators.h"

#include <cmath>
#include <cstring>
#include <string>

#include "starlark/format.h"
#include "starlark/function.h"
#include "starlark/objects.h"
#include "starlark/operators_internal.h"

namespace kraken::starlark {

using internal::IsNumber;
using internal::Sequence;
using internal::ToDouble;
using internal::UnknownBinary;

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
