// The '%' operator on strings and str.format (declared in format.h). Like
// the reference implementation, neither supports Python's flags, widths or
// precisions.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "starlark/format.h"
#include "starlark/objects.h"
#include "starlark/strings.h"

namespace kraken::starlark {
namespace {

void AppendInt(int64_t i, char conv, std::string* out) {
  if (conv == 'd' || conv == 'i') {
    char buf[24];
    *out += std::string_view(buf, std::to_chars(buf, buf + sizeof buf, i).ptr - buf);
    return;
  }
  uint64_t u = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  char buf[32];
  std::snprintf(buf, sizeof buf,
                conv == 'o'   ? "%llo"
                : conv == 'x' ? "%llx"
                              : "%llX",
                static_cast<unsigned long long>(u));
  if (i < 0) out->push_back('-');
  *out += buf;
}

}  // namespace

namespace {

// Appends `arg` converted as `%c` says (s r d i o x X e f g E F G c %).
void AppendConversion(char c, const Value& arg, std::string* out) {
  switch (c) {
    case 's':
    case 'r':
      if (c == 's' && arg.is(Type::kString)) {
        *out += arg.str();
      } else {
        AppendRepr(arg, out);
      }
      break;
    case 'd':
    case 'i':
    case 'o':
    case 'x':
    case 'X': {
      int64_t n;
      if (arg.is(Type::kInt)) {
        n = arg.int_value();
      } else if (arg.is(Type::kFloat) && std::isfinite(arg.float_value()) &&
                 std::fabs(arg.float_value()) < 9.2e18) {
        n = static_cast<int64_t>(arg.float_value());
      } else {
        Fail(std::string("%") + c + " format requires integer: got " + std::string(TypeName(arg)));
      }
      AppendInt(n, c, out);
      break;
    }
    case 'e':
    case 'f':
    case 'g':
    case 'E':
    case 'F':
    case 'G':
      if (arg.is(Type::kInt)) {
        AppendFloat(static_cast<double>(arg.int_value()), c, out);
      } else if (arg.is(Type::kFloat)) {
        AppendFloat(arg.float_value(), c, out);
      } else {
        Fail(std::string("%") + c + " format requires float, not " + std::string(TypeName(arg)));
      }
      break;
    case 'c':
      if (arg.is(Type::kInt)) {
        int64_t r = arg.int_value();
        if (r < 0 || r > 0x10FFFF)
          Fail("%c format requires a valid Unicode code point, got " + Repr(arg));
        AppendUtf8(static_cast<uint32_t>(r), out);
      } else if (arg.is(Type::kString)) {
        const std::string& s = arg.str();
        size_t len = s.empty() ? 0
                               : (static_cast<unsigned char>(s[0]) < 0x80         ? 1
                                  : (static_cast<unsigned char>(s[0]) >> 5) == 6  ? 2
                                  : (static_cast<unsigned char>(s[0]) >> 4) == 14 ? 3
                                                                                  : 4);
        if (s.empty() || len != s.size()) Fail("%c format requires a single-character string");
        *out += s;
      } else {
        Fail("%c format requires int or single-character string, not " +
             std::string(TypeName(arg)));
      }
      break;
    case '%':
      out->push_back('%');
      break;
    default:
      Fail(std::string("unknown conversion %") + c);
  }
}

}  // namespace

Value PercentFormat(Thread& thread, const std::string& format, const Value& x) {
  std::string out;
  // A short format ("%d", "build %s") usually fits the string's inline buffer: reserving
  // would allocate for nothing.
  if (format.size() > 12) out.reserve(format.size() + 16);
  size_t index = 0;
  const std::vector<Value>* tuple = x.is(Type::kTuple) ? &x.as<TupleObject>()->items : nullptr;
  size_t nargs = tuple != nullptr ? tuple->size() : 1;
  size_t p = 0;
  for (;;) {
    size_t i = format.find('%', p);
    if (i == std::string::npos) {
      out.append(format, p, std::string::npos);
      break;
    }
    out.append(format, p, i - p);
    p = i + 1;
    if (p < format.size() && format[p] == '%') {
      out.push_back('%');
      ++p;
      continue;
    }
    Value arg;
    if (p < format.size() && format[p] == '(') {
      size_t j = format.find(')', p + 1);
      if (j == std::string::npos) Fail("incomplete format key");
      if (!x.is(Type::kDict)) Fail("format requires a mapping");
      const Value* v =
          x.as<DictObject>()->table.Find(Value::String(format.substr(p + 1, j - p - 1)));
      if (v == nullptr) Fail("key not found: " + format.substr(p + 1, j - p - 1));
      arg = *v;
      p = j + 1;
    } else {
      if (index >= nargs) Fail("not enough arguments for format string");
      arg = tuple != nullptr ? (*tuple)[index] : x;
    }
    if (p >= format.size()) Fail("incomplete format");
    AppendConversion(format[p], arg, &out);
    ++p;
    ++index;
    thread.CheckCharge(out.size());
  }
  if (index < nargs) Fail("too many arguments for format string");
  thread.Charge(out.size());
  return Value::String(std::move(out));
}

namespace {

// A replacement field "name!conv:spec" in its parts (conv "s" when not given).
struct Field {
  std::string name, conv = "s", spec;
};

Field SplitField(const std::string& field) {
  Field f;
  size_t bang = field.find('!');
  if (bang == std::string::npos) {
    size_t colon = field.find(':');
    f.name = field.substr(0, colon);
    if (colon != std::string::npos) f.spec = field.substr(colon + 1);
  } else {
    f.name = field.substr(0, bang);
    std::string rest = field.substr(bang + 1);
    size_t colon = rest.find(':');
    f.conv = rest.substr(0, colon);
    if (colon != std::string::npos) f.spec = rest.substr(colon + 1);
  }
  return f;
}

// The keyword argument `name` of format(), or why the field cannot name one.
Value NamedArg(const Args& args, const std::string& name) {
  for (auto& [key, value] : args.named)
    if (key.str() == name) return value;
  if (name.find('.') != std::string::npos)
    Fail("format: attribute syntax x.y is not supported in replacement fields: " + name);
  if (name.find('[') != std::string::npos)
    Fail("format: element syntax a[i] is not supported in replacement fields: " + name);
  if (name.find('{') != std::string::npos) Fail("format: nested replacement fields not supported");
  Fail("format: keyword " + name + " not found");
}

}  // namespace

Value StrFormat(Thread& thread, const std::string& format, Args& args) {
  std::string out;
  bool automatic = false, manual = false;
  size_t index = 0;
  size_t p = 0;
  for (;;) {
    size_t i = format.find('{', p);
    size_t literal_end = i == std::string::npos ? format.size() : i;
    for (size_t k = p; k < literal_end; ++k) {
      if (format[k] == '}') {
        if (k + 1 == literal_end || format[k + 1] != '}') Fail("format: single '}' in format");
        out.push_back('}');
        ++k;
      } else {
        out.push_back(format[k]);
      }
    }
    if (i == std::string::npos) break;
    if (i + 1 < format.size() && format[i + 1] == '{') {
      out.push_back('{');
      p = i + 2;
      continue;
    }
    size_t close = format.find('}', i + 1);
    if (close == std::string::npos) Fail("format: unmatched '{' in format");
    auto [name, conv, spec] = SplitField(format.substr(i + 1, close - i - 1));
    p = close + 1;
    Value arg = Value::Unbound();
    bool numeric = !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
    if (name.empty()) {
      if (manual)
        Fail("format: cannot switch from manual field specification to automatic field numbering");
      automatic = true;
      if (index >= args.positional.size()) Fail("format: tuple index out of range");
      arg = args.positional[index++];
    } else if (numeric) {
      if (automatic)
        Fail("format: cannot switch from automatic field numbering to manual field specification");
      manual = true;
      size_t num = 0;
      for (char c : name)
        num = num > SIZE_MAX / 20 ? SIZE_MAX / 2 : num * 10 + static_cast<size_t>(c - '0');
      if (num >= args.positional.size()) Fail("format: tuple index out of range");
      arg = args.positional[num];
    } else {
      arg = NamedArg(args, name);
    }
    if (!spec.empty()) Fail("format spec features not supported in replacement fields: " + spec);
    if (conv == "s") {
      if (arg.is(Type::kString)) {
        out += arg.str();
      } else {
        AppendRepr(arg, &out);
      }
    } else if (conv == "r") {
      AppendRepr(arg, &out);
    } else {
      std::string quoted;
      AppendQuoted(conv, &quoted);
      Fail("format: unknown conversion " + quoted);
    }
    thread.CheckCharge(out.size());
  }
  thread.Charge(out.size());
  return Value::String(std::move(out));
}

}  // namespace kraken::starlark
