#include "starlark/lexer.h"

namespace kraken::starlark {
namespace {

struct Keyword {
  std::string_view word;
  Tok tok;
};

constexpr Keyword kKeywords[] = {
    {"and", Tok::kAnd},
    {"break", Tok::kBreak},
    {"continue", Tok::kContinue},
    {"def", Tok::kDef},
    {"elif", Tok::kElif},
    {"else", Tok::kElse},
    {"for", Tok::kFor},
    {"if", Tok::kIf},
    {"in", Tok::kIn},
    {"lambda", Tok::kLambda},
    {"load", Tok::kLoad},
    {"not", Tok::kNot},
    {"or", Tok::kOr},
    {"pass", Tok::kPass},
    {"return", Tok::kReturn},
    {"while", Tok::kWhile},
    {"as", Tok::kReserved},
    {"class", Tok::kReserved},
    {"del", Tok::kReserved},
    {"except", Tok::kReserved},
    {"finally", Tok::kReserved},
    {"from", Tok::kReserved},
    {"global", Tok::kReserved},
    {"import", Tok::kReserved},
    {"is", Tok::kReserved},
    {"nonlocal", Tok::kReserved},
    {"raise", Tok::kReserved},
    {"try", Tok::kReserved},
    {"with", Tok::kReserved},
    {"yield", Tok::kReserved},
};

// Keywords are short and lowercase, so most identifiers are rejected
// without a comparison.
Tok IdentOrKeyword(std::string_view word) {
  if (word.size() < 2 || word.size() > 8 || word[0] < 'a' || word[0] > 'z') return Tok::kIdent;
  for (const Keyword& k : kKeywords) {
    if (k.word == word) return k.tok;
  }
  return Tok::kIdent;
}

}  // namespace

std::string TokenName(Tok tok) {
  static const char* const kNames[] = {
      "end of file",
      "newline",
      "indent",
      "outdent",
      "identifier",
      "int literal",
      "float literal",
      "string literal",
      "'+'",
      "'-'",
      "'*'",
      "'/'",
      "'//'",
      "'%'",
      "'&'",
      "'|'",
      "'^'",
      "'<<'",
      "'>>'",
      "'~'",
      "'.'",
      "','",
      "'='",
      "';'",
      "':'",
      "'('",
      "')'",
      "'['",
      "']'",
      "'{'",
      "'}'",
      "'<'",
      "'>'",
      "'>='",
      "'<='",
      "'=='",
      "'!='",
      "'+='",
      "'-='",
      "'*='",
      "'/='",
      "'//='",
      "'%='",
      "'&='",
      "'|='",
      "'^='",
      "'<<='",
      "'>>='",
      "'**'",
      "and",
      "break",
      "continue",
      "def",
      "elif",
      "else",
      "for",
      "if",
      "in",
      "lambda",
      "load",
      "not",
      "not in",
      "or",
      "pass",
      "return",
      "while",
      "illegal token",
  };
  return kNames[static_cast<int>(tok)];
}

Lexer::Lexer(std::string_view source) : src_(source) {}

void Lexer::Error(Pos pos, std::string message) const {
  throw SyntaxError{pos, std::move(message)};
}

void Lexer::Advance() {
  unsigned char c = src_[pos_++];
  if (c == '\n') {
    ++here_.line;
    here_.col = 1;
  } else if ((c & 0xC0) != 0x80) {
    ++here_.col;
  }
}

void Lexer::ScanIndentation(std::vector<Token>* out) {
  // Skips blank and comment-only lines, then compares the indentation of
  // the first real line with the indentation stack.
  for (;;) {
    int col = 0;
    while (Peek() == ' ' || Peek() == '\t') {
      col = Peek() == '\t' ? col + 8 - col % 8 : col + 1;
      Advance();
    }
    if (Peek() == '#') {
      while (!AtEnd() && Peek() != '\n') Advance();
    }
    if (Peek() == '\r') Advance();
    if (Peek() == '\n') {
      Advance();
      continue;
    }
    if (AtEnd()) return;
    line_start_ = false;
    if (col > indents_.back()) {
      indents_.push_back(col);
      out->push_back(Token{Tok::kIndent, here_});
    } else {
      while (col < indents_.back()) {
        indents_.pop_back();
        out->push_back(Token{Tok::kOutdent, here_});
      }
      if (col != indents_.back())
        Error(here_, "unindent does not match any outer indentation level");
    }
    return;
  }
}

Token Lexer::Next() {
  if (next_pending_ < pending_.size()) {
    Token t = std::move(pending_[next_pending_++]);
    if (next_pending_ == pending_.size()) {
      pending_.clear();
      next_pending_ = 0;
    }
    t.end = t.pos;
    last_ = t.kind;
    return t;
  }
  if (line_start_ && depth_ == 0) {
    ScanIndentation(&pending_);
    line_start_ = false;
    if (!pending_.empty()) return Next();
  }
  // Skip whitespace, comments and escaped newlines.
  for (;;) {
    char c = Peek();
    if (c == ' ' || c == '\t' || c == '\r') {
      Advance();
    } else if (c == '#') {
      while (!AtEnd() && Peek() != '\n') Advance();
    } else if (c == '\\' && (Peek(1) == '\n' || (Peek(1) == '\r' && Peek(2) == '\n'))) {
      Advance();
      if (Peek() == '\r') Advance();
      Advance();
    } else if (c == '\n' && depth_ > 0) {
      Advance();
    } else {
      break;
    }
  }
  Token tok;
  tok.pos = here_;
  if (AtEnd()) {
    if (last_ != Tok::kNewline && last_ != Tok::kOutdent && last_ != Tok::kIndent &&
        !emitted_eof_newline_) {
      emitted_eof_newline_ = true;
      tok.kind = Tok::kNewline;
    } else if (indents_.size() > 1) {
      indents_.pop_back();
      tok.kind = Tok::kOutdent;
    } else {
      tok.kind = Tok::kEof;
    }
    tok.end = here_;
    last_ = tok.kind;
    return tok;
  }
  char c = Peek();
  if (c == '\n') {
    Advance();
    line_start_ = true;
    tok.kind = Tok::kNewline;
  } else if ((c == 'r' || c == 'R') && (Peek(1) == '"' || Peek(1) == '\'')) {
    Advance();
    tok = ScanString(tok.pos, true);
  } else if (c == '"' || c == '\'') {
    tok = ScanString(tok.pos, false);
  } else if (IsIdentStart(c)) {
    size_t start = pos_;
    while (!AtEnd() && IsIdentChar(Peek())) Advance();
    std::string_view word = src_.substr(start, pos_ - start);
    tok.kind = IdentOrKeyword(word);
    if (tok.kind == Tok::kIdent) tok.text = std::string(word);
  } else if (IsDigit(c) || (c == '.' && IsDigit(Peek(1)))) {
    tok = ScanNumber();
  } else {
    tok = ScanPunct();
  }
  tok.end = here_;
  last_ = tok.kind;
  return tok;
}

Token Lexer::ScanPunct() {
  Token tok;
  tok.pos = here_;
  char c = Peek(), c1 = Peek(1), c2 = Peek(2);
  auto take = [&](int n, Tok kind) {
    for (int i = 0; i < n; ++i) Advance();
    tok.kind = kind;
    return tok;
  };
  switch (c) {
    case '(':
      ++depth_;
      return take(1, Tok::kLParen);
    case '[':
      ++depth_;
      return take(1, Tok::kLBrack);
    case '{':
      ++depth_;
      return take(1, Tok::kLBrace);
    case ')':
      if (depth_ > 0) --depth_;
      return take(1, Tok::kRParen);
    case ']':
      if (depth_ > 0) --depth_;
      return take(1, Tok::kRBrack);
    case '}':
      if (depth_ > 0) --depth_;
      return take(1, Tok::kRBrace);
    case ',':
      return take(1, Tok::kComma);
    case ';':
      return take(1, Tok::kSemi);
    case ':':
      return take(1, Tok::kColon);
    case '.':
      return take(1, Tok::kDot);
    case '~':
      return take(1, Tok::kTilde);
    case '+':
      return c1 == '=' ? take(2, Tok::kPlusEq) : take(1, Tok::kPlus);
    case '-':
      return c1 == '=' ? take(2, Tok::kMinusEq) : take(1, Tok::kMinus);
    case '*':
      if (c1 == '*') return take(2, Tok::kStarStar);
      return c1 == '=' ? take(2, Tok::kStarEq) : take(1, Tok::kStar);
    case '/':
      if (c1 == '/') return c2 == '=' ? take(3, Tok::kSlashSlashEq) : take(2, Tok::kSlashSlash);
      return c1 == '=' ? take(2, Tok::kSlashEq) : take(1, Tok::kSlash);
    case '%':
      return c1 == '=' ? take(2, Tok::kPercentEq) : take(1, Tok::kPercent);
    case '&':
      return c1 == '=' ? take(2, Tok::kAmpEq) : take(1, Tok::kAmp);
    case '|':
      return c1 == '=' ? take(2, Tok::kPipeEq) : take(1, Tok::kPipe);
    case '^':
      return c1 == '=' ? take(2, Tok::kCaretEq) : take(1, Tok::kCaret);
    case '=':
      return c1 == '=' ? take(2, Tok::kEqEq) : take(1, Tok::kEq);
    case '!':
      if (c1 == '=') return take(2, Tok::kNe);
      break;
    case '<':
      if (c1 == '<') return c2 == '=' ? take(3, Tok::kLtLtEq) : take(2, Tok::kLtLt);
      return c1 == '=' ? take(2, Tok::kLe) : take(1, Tok::kLt);
    case '>':
      if (c1 == '>') return c2 == '=' ? take(3, Tok::kGtGtEq) : take(2, Tok::kGtGt);
      return c1 == '=' ? take(2, Tok::kGe) : take(1, Tok::kGt);
    default:
      break;
  }
  Error(tok.pos, std::string("unexpected input character '") + c + "'");
}

}  // namespace kraken::starlark
