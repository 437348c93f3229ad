// The methods of string values (kStringMethods in builtins.h). Case
// mapping and character classes cover ASCII; other characters are left
// unchanged and count as neither letters nor spaces.
#include <string>
#include <vector>

#include "starlark/builtins.h"
#include "starlark/format.h"
#include "starlark/interpreter.h"
#include "starlark/objects.h"
#include "starlark/operators.h"
#include "starlark/strings.h"

namespace kraken::starlark {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char ToUpper(char c) { return IsLower(c) ? static_cast<char>(c - 32) : c; }
char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c + 32) : c; }

Value Str(Thread& thread, std::string s) {
  thread.Charge(s.size() + 32);
  return Value::String(std::move(s));
}

Value StrList(Thread& thread, std::vector<std::string> parts) {
  std::vector<Value> out;
  out.reserve(parts.size());
  for (std::string& p : parts) out.push_back(Str(thread, std::move(p)));
  return MakeList(std::move(out));
}

// Resolves optional start/end arguments against s, clamped like a slice.
void Bounds(const char* fn, const std::string& s, const Value& start, const Value& end, size_t* lo,
            size_t* hi) {
  int64_t n = static_cast<int64_t>(s.size());
  auto clamp = [&](const Value& v, int64_t dflt, const char* param) {
    if (v.IsUnbound() || v.IsNone()) return dflt;
    int64_t i = IntArg(fn, param, v);
    if (i < 0) i += n;
    return i < 0 ? int64_t{0} : i > n ? n : i;
  };
  *lo = static_cast<size_t>(clamp(start, 0, "start"));
  *hi = static_cast<size_t>(clamp(end, n, "end"));
}

Value Transform(Thread& thread, const Value& self, Args& args, const char* name, char (*f)(char)) {
  UnpackPositional(name, args, 0, {});
  std::string s = self.str();
  for (char& c : s) c = f(c);
  return Str(thread, std::move(s));
}

Value Lower(Thread& t, const Value& self, Args& a) {
  return Transform(t, self, a, "lower", ToLower);
}
Value Upper(Thread& t, const Value& self, Args& a) {
  return Transform(t, self, a, "upper", ToUpper);
}

Value Capitalize(Thread& thread, const Value& self, Args& args) {
  UnpackPositional("capitalize", args, 0, {});
  std::string s = self.str();
  for (size_t i = 0; i < s.size(); ++i) s[i] = i == 0 ? ToUpper(s[i]) : ToLower(s[i]);
  return Str(thread, std::move(s));
}

Value Title(Thread& thread, const Value& self, Args& args) {
  UnpackPositional("title", args, 0, {});
  std::string s = self.str();
  bool prev_cased = false;
  for (char& c : s) {
    c = prev_cased ? ToLower(c) : ToUpper(c);
    prev_cased = IsAlpha(c);
  }
  return Str(thread, std::move(s));
}

template <bool (*Pred)(char)>
Value AllChars(const Value& self, Args& args, const char* name) {
  UnpackPositional(name, args, 0, {});
  const std::string& s = self.str();
  if (s.empty()) return Value::Bool(false);
  for (char c : s) {
    if (!Pred(c)) return Value::Bool(false);
  }
  return Value::Bool(true);
}

bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
Value IsAlnumM(Thread&, const Value& s, Args& a) { return AllChars<IsAlnum>(s, a, "isalnum"); }
Value IsAlphaM(Thread&, const Value& s, Args& a) { return AllChars<IsAlpha>(s, a, "isalpha"); }
Value IsDigitM(Thread&, const Value& s, Args& a) { return AllChars<IsDigit>(s, a, "isdigit"); }
Value IsSpaceM(Thread&, const Value& s, Args& a) { return AllChars<IsSpace>(s, a, "isspace"); }

Value CaseCheck(const Value& self, Args& args, const char* name, bool upper) {
  UnpackPositional(name, args, 0, {});
  bool cased = false;
  for (char c : self.str()) {
    if (upper ? IsLower(c) : IsUpper(c)) return Value::Bool(false);
    if (IsAlpha(c)) cased = true;
  }
  return Value::Bool(cased);
}
Value IsLowerM(Thread&, const Value& s, Args& a) { return CaseCheck(s, a, "islower", false); }
Value IsUpperM(Thread&, const Value& s, Args& a) { return CaseCheck(s, a, "isupper", true); }

Value IsTitle(Thread&, const Value& self, Args& args) {
  UnpackPositional("istitle", args, 0, {});
  bool cased = false, prev_cased = false;
  for (char c : self.str()) {
    if (IsUpper(c)) {
      if (prev_cased) return Value::Bool(false);
      prev_cased = cased = true;
    } else if (IsLower(c)) {
      if (!prev_cased) return Value::Bool(false);
      prev_cased = cased = true;
    } else {
      prev_cased = false;
    }
  }
  return Value::Bool(cased);
}

Value Count(Thread&, const Value& self, Args& args) {
  Value sub, start, end;
  UnpackPositional("count", args, 1, {&sub, &start, &end});
  const std::string& needle = StringArg("count", "sub", sub);
  size_t lo, hi;
  Bounds("count", self.str(), start, end, &lo, &hi);
  if (lo > hi) return Value::Int(0);
  std::string_view s = std::string_view(self.str()).substr(lo, hi - lo);
  if (needle.empty()) return Value::Int(static_cast<int64_t>(CountRunes(s) + 1));
  int64_t n = 0;
  for (size_t p = s.find(needle); p != std::string_view::npos;
       p = s.find(needle, p + needle.size()))
    ++n;
  return Value::Int(n);
}

Value AffixCheck(const Value& self, Args& args, const char* name, bool prefix) {
  Value x, start, end;
  UnpackPositional(name, args, 1, {&x, &start, &end});
  size_t lo, hi;
  Bounds(name, self.str(), start, end, &lo, &hi);
  std::string_view s =
      lo <= hi ? std::string_view(self.str()).substr(lo, hi - lo) : std::string_view();
  auto test = [&](const Value& v) {
    if (!v.is(Type::kString)) {
      Fail(std::string(name) + ": got " + std::string(TypeName(v)) + ", want string");
    }
    const std::string& a = v.str();
    return a.size() <= s.size() &&
           (prefix ? s.substr(0, a.size()) == a : s.substr(s.size() - a.size()) == a);
  };
  if (x.is(Type::kTuple)) {
    for (const Value& v : x.as<TupleObject>()->items) {
      if (test(v)) return Value::Bool(true);
    }
    return Value::Bool(false);
  }
  if (!x.is(Type::kString)) {
    Fail(std::string(name) + ": got " + std::string(TypeName(x)) +
         ", want string or tuple of strings");
  }
  return Value::Bool(test(x));
}
Value StartsWith(Thread&, const Value& s, Args& a) { return AffixCheck(s, a, "startswith", true); }
Value EndsWith(Thread&, const Value& s, Args& a) { return AffixCheck(s, a, "endswith", false); }

Value FindImpl(const Value& self, Args& args, const char* name, bool last, bool fail) {
  Value sub, start, end;
  UnpackPositional(name, args, 1, {&sub, &start, &end});
  const std::string& needle = StringArg(name, "sub", sub);
  size_t lo, hi;
  Bounds(name, self.str(), start, end, &lo, &hi);
  size_t found = std::string::npos;
  if (lo <= hi) {
    std::string_view s = std::string_view(self.str()).substr(lo, hi - lo);
    found = last ? s.rfind(needle) : s.find(needle);
  }
  if (found == std::string::npos) {
    if (fail) Fail(std::string(name) + ": substring not found");
    return Value::Int(-1);
  }
  return Value::Int(static_cast<int64_t>(found + lo));
}
Value Find(Thread&, const Value& s, Args& a) { return FindImpl(s, a, "find", false, false); }
Value RFind(Thread&, const Value& s, Args& a) { return FindImpl(s, a, "rfind", true, false); }
Value IndexM(Thread&, const Value& s, Args& a) { return FindImpl(s, a, "index", false, true); }
Value RIndex(Thread&, const Value& s, Args& a) { return FindImpl(s, a, "rindex", true, true); }

Value Format(Thread& thread, const Value& self, Args& args) {
  return StrFormat(thread, self.str(), args);
}

Value Join(Thread& thread, const Value& self, Args& args) {
  Value iterable;
  UnpackPositional("join", args, 1, {&iterable});
  std::string out;
  bool first = true;
  for (const Value& v : ToVector(thread, "join", iterable)) {
    if (!v.is(Type::kString)) Fail("join: in list, want string, got " + std::string(TypeName(v)));
    if (!first) out += self.str();
    first = false;
    out += v.str();
    thread.CheckCharge(out.size());
  }
  return Str(thread, std::move(out));
}

Value StripImpl(Thread& thread, const Value& self, Args& args, const char* name, bool left,
                bool right) {
  Value chars;
  UnpackPositional(name, args, 0, {&chars});
  const std::string& s = self.str();
  size_t lo = 0, hi = s.size();
  // An empty set of characters means whitespace, as in the reference.
  if (chars.IsUnbound() || chars.IsNone() || StringArg(name, "chars", chars).empty()) {
    while (left && lo < hi && IsSpace(s[lo])) ++lo;
    while (right && hi > lo && IsSpace(s[hi - 1])) --hi;
    return Str(thread, s.substr(lo, hi - lo));
  }
  // The set holds code points, so that no UTF-8 sequence is cut in half.
  std::string_view set = chars.str();
  auto in_set = [&](size_t at, size_t len) {
    thread.Step(set.size());  // a long set and a long string are quadratic work
    for (size_t i = 0; i < set.size();) {
      size_t n = RuneLength(set, i);
      if (n == len && set.compare(i, n, s, at, len) == 0) return true;
      i += n;
    }
    return false;
  };
  while (left && lo < hi) {
    size_t n = RuneLength(s, lo);
    if (!in_set(lo, n)) break;
    lo += n;
  }
  while (right && hi > lo) {
    size_t start = hi - 1;
    while (start > lo && hi - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
      --start;
    if (RuneLength(s, start) != hi - start) start = hi - 1;
    if (!in_set(start, hi - start)) break;
    hi = start;
  }
  return Str(thread, s.substr(lo, hi - lo));
}
Value Strip(Thread& t, const Value& s, Args& a) { return StripImpl(t, s, a, "strip", true, true); }
Value LStrip(Thread& t, const Value& s, Args& a) {
  return StripImpl(t, s, a, "lstrip", true, false);
}
Value RStrip(Thread& t, const Value& s, Args& a) {
  return StripImpl(t, s, a, "rstrip", false, true);
}

Value PartitionImpl(Thread& thread, const Value& self, Args& args, const char* name, bool last) {
  Value sep_value;
  UnpackPositional(name, args, 1, {&sep_value});
  const std::string& sep = StringArg(name, "sep", sep_value);
  if (sep.empty()) Fail(std::string(name) + ": empty separator");
  const std::string& s = self.str();
  size_t i = last ? s.rfind(sep) : s.find(sep);
  std::vector<Value> parts;
  if (i == std::string::npos) {
    if (last) {
      parts = {Str(thread, ""), Str(thread, ""), self};
    } else {
      parts = {self, Str(thread, ""), Str(thread, "")};
    }
  } else {
    parts = {Str(thread, s.substr(0, i)), sep_value, Str(thread, s.substr(i + sep.size()))};
  }
  return MakeTuple(std::move(parts));
}
Value Partition(Thread& t, const Value& s, Args& a) {
  return PartitionImpl(t, s, a, "partition", false);
}
Value RPartition(Thread& t, const Value& s, Args& a) {
  return PartitionImpl(t, s, a, "rpartition", true);
}

Value Replace(Thread& thread, const Value& self, Args& args) {
  Value old_value, new_value, count_value;
  UnpackPositional("replace", args, 2, {&old_value, &new_value, &count_value});
  const std::string& from = StringArg("replace", "old", old_value);
  const std::string& to = StringArg("replace", "new", new_value);
  int64_t count = count_value.IsUnbound() ? -1 : IntArg("replace", "count", count_value);
  const std::string& s = self.str();
  std::string out;
  size_t pos = 0;
  for (int64_t n = 0; count < 0 || n < count; ++n) {
    if (from.empty()) {
      // An empty pattern matches before each code point and at the end.
      if (pos > s.size()) break;
      out += to;
      if (pos < s.size()) {
        uint32_t r;
        int len = DecodeUtf8(s, pos, &r);
        len = len == 0 ? 1 : len;
        out.append(s, pos, len);
        pos += len;
      } else {
        pos = s.size() + 1;
        break;
      }
    } else {
      size_t i = s.find(from, pos);
      if (i == std::string::npos) break;
      out.append(s, pos, i - pos);
      out += to;
      pos = i + from.size();
    }
    thread.CheckCharge(out.size());
  }
  if (pos < s.size()) out.append(s, pos, std::string::npos);
  return Str(thread, std::move(out));
}

std::vector<std::string> SplitSpace(const std::string& s, int64_t maxsplit, bool reverse) {
  std::vector<std::string> out;
  if (!reverse) {
    size_t i = 0;
    while (i < s.size()) {
      while (i < s.size() && IsSpace(s[i])) ++i;
      if (i == s.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
        out.push_back(s.substr(i));
        break;
      }
      size_t j = i;
      while (j < s.size() && !IsSpace(s[j])) ++j;
      out.push_back(s.substr(i, j - i));
      i = j;
    }
    return out;
  }
  size_t i = s.size();
  while (i > 0) {
    while (i > 0 && IsSpace(s[i - 1])) --i;
    if (i == 0) break;
    if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
      out.push_back(s.substr(0, i));
      break;
    }
    size_t j = i;
    while (j > 0 && !IsSpace(s[j - 1])) --j;
    out.push_back(s.substr(j, i - j));
    i = j;
  }
  return std::vector<std::string>(out.rbegin(), out.rend());
}

Value SplitImpl(Thread& thread, const Value& self, Args& args, const char* name, bool reverse) {
  Value sep_value, maxsplit_value;
  UnpackPositional(name, args, 0, {&sep_value, &maxsplit_value});
  int64_t maxsplit = maxsplit_value.IsUnbound() ? -1 : IntArg(name, "maxsplit", maxsplit_value);
  const std::string& s = self.str();
  if (sep_value.IsUnbound() || sep_value.IsNone())
    return StrList(thread, SplitSpace(s, maxsplit, reverse));
  if (!sep_value.is(Type::kString)) {
    Fail(std::string("split: got ") + std::string(TypeName(sep_value)) +
         " for separator, want string");
  }
  const std::string& sep = sep_value.str();
  if (sep.empty()) Fail("split: empty separator");
  std::vector<std::string> parts;
  size_t pos = 0;
  for (size_t i = s.find(sep); i != std::string::npos; i = s.find(sep, pos)) {
    parts.push_back(s.substr(pos, i - pos));
    pos = i + sep.size();
  }
  parts.push_back(s.substr(pos));
  if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) > maxsplit + 1) {
    std::vector<std::string> merged;
    size_t excess = parts.size() - static_cast<size_t>(maxsplit);
    if (!reverse) {
      merged.assign(parts.begin(), parts.begin() + maxsplit);
      std::string rest = parts[maxsplit];
      for (size_t k = maxsplit + 1; k < parts.size(); ++k) rest += sep + parts[k];
      merged.push_back(rest);
    } else {
      std::string first = parts[0];
      for (size_t k = 1; k < excess; ++k) first += sep + parts[k];
      merged.push_back(first);
      merged.insert(merged.end(), parts.begin() + excess, parts.end());
    }
    parts = std::move(merged);
  }
  return StrList(thread, std::move(parts));
}
Value Split(Thread& t, const Value& s, Args& a) { return SplitImpl(t, s, a, "split", false); }
Value RSplit(Thread& t, const Value& s, Args& a) { return SplitImpl(t, s, a, "rsplit", true); }

Value SplitLines(Thread& thread, const Value& self, Args& args) {
  Value keepends;
  UnpackPositional("splitlines", args, 0, {&keepends});
  bool keep = !keepends.IsUnbound() && Truth(keepends);
  const std::string& s = self.str();
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) {
      lines.push_back(s.substr(pos));
      break;
    }
    lines.push_back(s.substr(pos, nl - pos + (keep ? 1 : 0)));
    pos = nl + 1;
  }
  return StrList(thread, std::move(lines));
}

Value Elements(Thread& thread, const Value& self, Args& args, const char* name, bool codepoints,
               bool ords) {
  UnpackPositional(name, args, 0, {});
  const std::string& s = self.str();
  std::vector<Value> out;
  for (size_t i = 0; i < s.size();) {
    uint32_t r = static_cast<unsigned char>(s[i]);
    int len = 1;
    if (codepoints) {
      len = DecodeUtf8(s, i, &r);
      if (len == 0) {
        len = 1;
        r = 0xFFFD;
      }
    }
    out.push_back(ords ? Value::Int(r) : Str(thread, s.substr(i, len)));
    i += len;
  }
  thread.Charge(out.size() * sizeof(Value));
  return MakeList(std::move(out));
}
Value Elems(Thread& t, const Value& s, Args& a) { return Elements(t, s, a, "elems", false, false); }
Value ElemOrds(Thread& t, const Value& s, Args& a) {
  return Elements(t, s, a, "elem_ords", false, true);
}
Value Codepoints(Thread& t, const Value& s, Args& a) {
  return Elements(t, s, a, "codepoints", true, false);
}
Value CodepointOrds(Thread& t, const Value& s, Args& a) {
  return Elements(t, s, a, "codepoint_ords", true, true);
}

}  // namespace

const std::vector<MethodEntry> kStringMethods = {
    {"capitalize", Capitalize}, {"codepoint_ords", CodepointOrds},
    {"codepoints", Codepoints}, {"count", Count},
    {"elem_ords", ElemOrds},    {"elems", Elems},
    {"endswith", EndsWith},     {"find", Find},
    {"format", Format},         {"index", IndexM},
    {"isalnum", IsAlnumM},      {"isalpha", IsAlphaM},
    {"isdigit", IsDigitM},      {"islower", IsLowerM},
    {"isspace", IsSpaceM},      {"istitle", IsTitle},
    {"isupper", IsUpperM},      {"join", Join},
    {"lower", Lower},           {"lstrip", LStrip},
    {"partition", Partition},   {"replace", Replace},
    {"rfind", RFind},           {"rindex", RIndex},
    {"rpartition", RPartition}, {"rsplit", RSplit},
    {"rstrip", RStrip},         {"split", Split},
    {"splitlines", SplitLines}, {"startswith", StartsWith},
    {"strip", Strip},           {"title", Title},
    {"upper", Upper},
};

}  // namespace kraken::starlark
