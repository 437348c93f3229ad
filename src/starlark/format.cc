#include "starlark/format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "starlark/objects.h"
#include "starlark/operators.h"
#include "starlark/strings.h"

namespace kraken::starlark {
namespace {

// An approximation of Go's unicode.IsPrint for non-ASCII code points.
bool IsPrintable(uint32_t r) {
  if (r <= 0xA0 || r == 0xAD) return false;
  if ((r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) || (r >= 0x205F && r <= 0x206F))
    return false;
  if (r == 0x3000 || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB) || (r >= 0xE000 && r <= 0xF8FF))
    return false;
  if (r >= 0xF0000) return false;
  return true;
}

void AppendHex(uint32_t v, int digits, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) out->push_back(kHex[(v >> (4 * i)) & 0xf]);
}

void AppendReprRec(const Value& v, std::string* out, std::vector<const Object*>* path);

void AppendSeq(const std::vector<Value>& items, std::string* out,
               std::vector<const Object*>* path) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) *out += ", ";
    AppendReprRec(items[i], out, path);
  }
}

bool OnPath(const std::vector<const Object*>& path, const Object* o) {
  for (const Object* p : path) {
    if (p == o) return true;
  }
  return false;
}

void AppendReprRec(const Value& v, std::string* out, std::vector<const Object*>* path) {
  switch (v.type()) {
    case Type::kNone:
      *out += "None";
      return;
    case Type::kBool:
      *out += v.bool_value() ? "True" : "False";
      return;
    case Type::kInt:
      *out += std::to_string(v.int_value());
      return;
    case Type::kFloat:
      AppendFloat(v.float_value(), 'g', out);
      return;
    case Type::kString:
      AppendQuoted(v.str(), out);
      return;
    case Type::kList:
      *out += '[';
      if (OnPath(*path, v.object()) || path->size() > 100) {
        *out += "...";
      } else {
        path->push_back(v.object());
        AppendSeq(v.as<ListObject>()->items, out, path);
        path->pop_back();
      }
      *out += ']';
      return;
    case Type::kTuple: {
      const auto& items = v.as<TupleObject>()->items;
      *out += '(';
      AppendSeq(items, out, path);
      if (items.size() == 1) *out += ',';
      *out += ')';
      return;
    }
    case Type::kDict: {
      *out += '{';
      if (OnPath(*path, v.object()) || path->size() > 100) {
        *out += "...";
      } else {
        path->push_back(v.object());
        const char* sep = "";
        for (const auto& e : v.as<DictObject>()->table.entries()) {
          if (e.key.IsUnbound()) continue;
          *out += sep;
          AppendReprRec(e.key, out, path);
          *out += ": ";
          AppendReprRec(e.value, out, path);
          sep = ", ";
        }
        path->pop_back();
      }
      *out += '}';
      return;
    }
    case Type::kRange: {
      auto* r = v.as<RangeObject>();
      *out += "range(";
      if (r->start != 0 || r->step != 1) *out += std::to_string(r->start) + ", ";
      *out += std::to_string(r->stop);
      if (r->step != 1) *out += ", " + std::to_string(r->step);
      *out += ')';
      return;
    }
    case Type::kFunction:
      *out += "<function " + v.as<FunctionObject>()->decl->name + ">";
      return;
    case Type::kBuiltin: {
      auto* b = v.as<BuiltinObject>();
      if (b->self.IsNone()) {
        *out += std::string("<built-in function ") + b->name + ">";
      } else {
        *out += std::string("<built-in method ") + b->name + " of " +
                std::string(TypeName(b->self)) + " value>";
      }
      return;
    }
    case Type::kStruct: {
      if (v.as<StructObject>()->unknown) {
        *out += "None";
        return;
      }
      *out += "struct(";
      const char* sep = "";
      for (const auto& [name, value] : v.as<StructObject>()->fields) {
        *out += sep + name + " = ";
        AppendReprRec(value, out, path);
        sep = ", ";
      }
      *out += ')';
      return;
    }
    default:
      *out += "<internal>";
      return;
  }
}

}  // namespace

void AppendQuoted(std::string_view s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c < 0x80) {
      switch (c) {
        case '\a':
          *out += "\\a";
          break;
        case '\b':
          *out += "\\b";
          break;
        case '\f':
          *out += "\\f";
          break;
        case '\n':
          *out += "\\n";
          break;
        case '\r':
          *out += "\\r";
          break;
        case '\t':
          *out += "\\t";
          break;
        case '\v':
          *out += "\\v";
          break;
        case '\\':
          *out += "\\\\";
          break;
        case '"':
          *out += "\\\"";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            *out += "\\x";
            AppendHex(c, 2, out);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    uint32_t r;
    int len = DecodeUtf8(s, i, &r);
    if (len == 0) {
      *out += "\\x";
      AppendHex(c, 2, out);
      ++i;
    } else if (IsPrintable(r)) {
      out->append(s.substr(i, len));
      i += len;
    } else {
      if (r < 0x10000) {
        *out += "\\u";
        AppendHex(r, 4, out);
      } else {
        *out += "\\U";
        AppendHex(r, 8, out);
      }
      i += len;
    }
  }
  out->push_back('"');
}

void AppendFloat(double f, char conv, std::string* out) {
  if (!std::isfinite(f)) {
    *out += std::isnan(f) ? "nan" : f > 0 ? "+inf" : "-inf";
    return;
  }
  if (conv != 'g' && conv != 'G') {
    char buf[512];
    char fmt[] = {'%', '.', '6', conv, '\0'};
    std::snprintf(buf, sizeof buf, fmt, f);
    *out += buf;
    return;
  }
  // Shortest round-trip digits, laid out like Go's strconv 'g' format with
  // precision -1, which switches to exponent form when exp < -4 || exp >= 6.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  int exp = std::stoi(sci.substr(e + 1));
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  if (negative) out->push_back('-');
  if (exp < -4 || exp >= 6) {
    out->push_back(digits[0]);
    if (digits.size() > 1) {
      out->push_back('.');
      out->append(digits, 1, std::string::npos);
    }
    out->push_back(conv == 'g' ? 'e' : 'E');
    out->push_back(exp < 0 ? '-' : '+');
    int a = exp < 0 ? -exp : exp;
    if (a < 10) out->push_back('0');
    *out += std::to_string(a);
    return;
  }
  // Fixed notation; Starlark adds ".0" when there is no fraction.
  if (exp < 0) {
    *out += "0.";
    out->append(static_cast<size_t>(-exp - 1), '0');
    *out += digits;
  } else if (static_cast<int>(digits.size()) <= exp + 1) {
    *out += digits;
    out->append(static_cast<size_t>(exp + 1 - static_cast<int>(digits.size())), '0');
    *out += ".0";
  } else {
    out->append(digits, 0, exp + 1);
    out->push_back('.');
    out->append(digits, exp + 1, std::string::npos);
  }
}

void AppendRepr(const Value& v, std::string* out) {
  std::vector<const Object*> path;
  AppendReprRec(v, out, &path);
}

std::string Repr(const Value& v) {
  std::string out;
  AppendRepr(v, &out);
  return out;
}

std::string Str(const Value& v) {
  if (v.is(Type::kString)) return v.str();
  return Repr(v);
}

}  // namespace kraken::starlark
