// The lexer's literals: numbers and strings (with their escapes and raw and triple-quoted
// forms). The rest of the lexer is lexer.cc.
#include <cerrno>
#include <cstdlib>

#include "starlark/lexer.h"

namespace kraken::starlark {

Token Lexer::ScanNumber() {
  Token tok;
  tok.pos = here_;
  size_t start = pos_;
  bool is_float = false;
  if (Peek() == '0' && (Peek(1) == 'x' || Peek(1) == 'X' || Peek(1) == 'o' || Peek(1) == 'O' ||
                        Peek(1) == 'b' || Peek(1) == 'B')) {
    char kind = Peek(1) | 0x20;
    Advance();
    Advance();
    size_t digits = pos_;
    while (!AtEnd() && IsIdentChar(Peek())) Advance();
    std::string text(src_.substr(digits, pos_ - digits));
    int base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
    char* end = nullptr;
    errno = 0;
    unsigned long long v = text.empty() ? 0 : std::strtoull(text.c_str(), &end, base);
    if (text.empty() || *end != '\0') Error(tok.pos, "invalid int literal");
    if (errno == ERANGE || v > static_cast<unsigned long long>(INT64_MAX)) {
      Error(tok.pos, "int literal out of range (Kraken's Starlark ints are 64-bit)");
    }
    tok.kind = Tok::kInt;
    tok.int_value = static_cast<int64_t>(v);
    return tok;
  }
  while (IsDigit(Peek())) Advance();
  if (Peek() == '.') {
    is_float = true;
    Advance();
    while (IsDigit(Peek())) Advance();
  }
  if (Peek() == 'e' || Peek() == 'E') {
    is_float = true;
    Advance();
    if (Peek() == '+' || Peek() == '-') Advance();
    if (!IsDigit(Peek())) Error(here_, "invalid float literal");
    while (IsDigit(Peek())) Advance();
  }
  std::string text(src_.substr(start, pos_ - start));
  if (is_float) {
    tok.kind = Tok::kFloat;
    tok.float_value = std::strtod(text.c_str(), nullptr);
    return tok;
  }
  if (text.size() > 1 && text[0] == '0') {
    if (text.find_first_not_of('0') != std::string::npos) {
      Error(here_, "obsolete form of octal literal; use 0o" + text.substr(1));
    }
  }
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno == ERANGE || v > static_cast<unsigned long long>(INT64_MAX)) {
    Error(here_, "int literal out of range (Kraken's Starlark ints are 64-bit)");
  }
  tok.kind = Tok::kInt;
  tok.int_value = static_cast<int64_t>(v);
  return tok;
}

Token Lexer::ScanString(Pos start, bool raw) {
  Token tok;
  tok.pos = start;
  tok.kind = Tok::kString;
  char quote = Peek();
  bool triple = Peek(1) == quote && Peek(2) == quote;
  for (int i = 0; i < (triple ? 3 : 1); ++i) Advance();
  std::string& out = tok.text;
  for (;;) {
    if (AtEnd()) Error(start, "unexpected EOF in string");
    char c = Peek();
    if (c == quote) {
      if (!triple) {
        Advance();
        return tok;
      }
      if (Peek(1) == quote && Peek(2) == quote) {
        Advance();
        Advance();
        Advance();
        return tok;
      }
      out += c;
      Advance();
      continue;
    }
    if (c == '\n' && !triple) Error(start, "unexpected newline in string");
    if (c == '\r') {
      Advance();
      continue;
    }
    if (c != '\\') {
      out += c;
      Advance();
      continue;
    }
    // Escape sequence.
    Advance();
    if (AtEnd()) Error(start, "unexpected EOF in string");
    char e = Peek();
    if (raw) {
      if (e == '\n') {
        Advance();
        continue;
      }
      out += '\\';
      out += e;
      Advance();
      continue;
    }
    Advance();
    switch (e) {
      case '\n':
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
      case '\'':
      case '"':
        out += e;
        break;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        int n = e - '0';
        for (int i = 1; i < 3 && Peek() >= '0' && Peek() <= '7'; ++i) {
          n = n * 8 + (Peek() - '0');
          Advance();
        }
        if (n >= 256) Error(start, "invalid escape sequence \\" + std::to_string(n));
        out += static_cast<char>(n);
        break;
      }
      case 'x': {
        int n = 0;
        for (int i = 0; i < 2; ++i) {
          char h = Peek();
          int d = IsDigit(h)                               ? h - '0'
                  : (h | 0x20) >= 'a' && (h | 0x20) <= 'f' ? (h | 0x20) - 'a' + 10
                                                           : -1;
          if (d < 0) Error(start, "invalid escape sequence \\x");
          n = n * 16 + d;
          Advance();
        }
        out += static_cast<char>(n);
        break;
      }
      default:
        Error(start, std::string("invalid escape sequence \\") + e);
    }
  }
}

}  // namespace kraken::starlark
