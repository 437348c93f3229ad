// int(): conversion of strings, floats and bools to int (see builtins.h).
#include <cmath>
#include <string>

#include "starlark/builtins.h"

namespace kraken::starlark {
namespace {

// Parses s in the given base (0 = from the prefix), as the spec's int()
// describes. Returns false if s is not a valid literal.
bool ParseInt(std::string s, int base, int64_t* out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  if (s.size() > 1 && s[0] == '0') {
    int prefix = 0;
    if (s.size() > 2) {
      char c = static_cast<char>(s[1] | 0x20);
      prefix = c == 'o' ? 8 : c == 'x' ? 16 : c == 'b' ? 2 : 0;
    }
    if (prefix != 0) {
      if (base == 0 || base == prefix) {
        base = prefix;
        s.erase(0, 2);
      }
    } else if (base == 0) {
      if (s.find_first_not_of('0') != std::string::npos) return false;
      *out = 0;
      return true;
    }
  }
  if (base == 0) base = 10;
  if (s.empty()) return false;
  uint64_t limit =
      negative ? static_cast<uint64_t>(INT64_MAX) + 1 : static_cast<uint64_t>(INT64_MAX);
  uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9'                     ? c - '0'
            : (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? (c | 0x20) - 'a' + 10
                                                     : 99;
    if (d >= base) return false;
    if (v > (limit - d) / base) Fail("int: integer overflow: " + s);
    v = v * base + d;
  }
  *out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

}  // namespace

Value IntBuiltin(Thread&, const Value&, Args& args) {
  Value x, base;
  UnpackArgs("int", args, {"x?", "base?"}, {&x, &base});
  if (x.IsUnbound()) return Value::Int(0);
  if (x.is(Type::kString)) {
    int b = 10;
    if (!base.IsUnbound()) {
      int64_t bb = IntArg("int", "base", base);
      if (bb != 0 && (bb < 2 || bb > 36)) Fail("int: base must be an integer >= 2 && <= 36");
      b = static_cast<int>(bb);
    }
    int64_t result;
    if (!ParseInt(x.str(), b, &result)) {
      Fail("int: invalid literal with base " + std::to_string(b) + ": " + x.str());
    }
    return Value::Int(result);
  }
  if (!base.IsUnbound()) Fail("int: can't convert non-string with explicit base");
  switch (x.type()) {
    case Type::kBool:
      return Value::Int(x.bool_value() ? 1 : 0);
    case Type::kInt:
      return x;
    case Type::kFloat: {
      double f = x.float_value();
      if (std::isnan(f)) Fail("int: cannot convert float NaN to integer");
      if (std::isinf(f)) Fail("int: cannot convert float infinity to integer");
      double t = std::trunc(f);
      if (t >= 9223372036854775808.0 || t < -9223372036854775808.0) Fail("int: integer overflow");
      return Value::Int(static_cast<int64_t>(t));
    }
    default:
      Fail("int: cannot convert " + std::string(TypeName(x)) + " to int");
  }
}

}  // namespace kraken::starlark
