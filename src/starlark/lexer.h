// Lexer splits Starlark source into tokens, turning indentation into
// kIndent/kOutdent tokens and dropping newlines inside brackets, as the
// language spec's lexical rules require. Not thread-safe; one per parse.
#ifndef KRAKEN_STARLARK_LEXER_H_
#define KRAKEN_STARLARK_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "starlark/error.h"

namespace kraken::starlark {

enum class Tok : uint8_t {
  kEof,
  kNewline,
  kIndent,
  kOutdent,
  kIdent,
  kInt,
  kFloat,
  kString,
  // punctuation
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kSlashSlash,
  kPercent,
  kAmp,
  kPipe,
  kCaret,
  kLtLt,
  kGtGt,
  kTilde,
  kDot,
  kComma,
  kEq,
  kSemi,
  kColon,
  kLParen,
  kRParen,
  kLBrack,
  kRBrack,
  kLBrace,
  kRBrace,
  kLt,
  kGt,
  kGe,
  kLe,
  kEqEq,
  kNe,
  kPlusEq,
  kMinusEq,
  kStarEq,
  kSlashEq,
  kSlashSlashEq,
  kPercentEq,
  kAmpEq,
  kPipeEq,
  kCaretEq,
  kLtLtEq,
  kGtGtEq,
  kStarStar,
  // keywords
  kAnd,
  kBreak,
  kContinue,
  kDef,
  kElif,
  kElse,
  kFor,
  kIf,
  kIn,
  kLambda,
  kLoad,
  kNot,
  kNotIn,
  kOr,
  kPass,
  kReturn,
  kWhile,
  kReserved,  // a word reserved for future use, such as 'class'
};

// How a token is spelled in error messages, e.g. "','" or "for".
std::string TokenName(Tok tok);

struct Token {
  Tok kind = Tok::kEof;
  Pos pos;
  Pos end;           // just past the token, where the parser reports unexpected tokens
  std::string text;  // identifier name or decoded string literal
  int64_t int_value = 0;
  double float_value = 0;
};

// SyntaxError is thrown by the lexer and parser and caught by Parse().
struct SyntaxError {
  Pos pos;
  std::string message;
};

// Character classes of identifiers and numbers (bytes of 0x80 and up start identifiers:
// UTF-8 letters).
inline bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

class Lexer {
 public:
  explicit Lexer(std::string_view source);
  // Next returns the next token; throws SyntaxError.
  Token Next();

 private:
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }
  void Advance();
  bool AtEnd() const { return pos_ >= src_.size(); }
  void ScanIndentation(std::vector<Token>* out);
  Token ScanNumber();
  Token ScanString(Pos start, bool raw);
  Token ScanPunct();
  [[noreturn]] void Error(Pos pos, std::string message) const;

  std::string_view src_;
  size_t pos_ = 0;
  Pos here_{1, 1};
  int depth_ = 0;  // bracket nesting: newlines are insignificant inside
  bool line_start_ = true;
  std::vector<int> indents_{0};
  std::vector<Token> pending_;  // indentation tokens queued for delivery
  size_t next_pending_ = 0;
  bool emitted_eof_newline_ = false;
  Tok last_ = Tok::kNewline;
};

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_LEXER_H_
