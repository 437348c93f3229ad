// The expression rules of the parser (class Parser in parser_internal.h): tests, binary
// operators by precedence climbing, primaries with their suffixes, comprehensions and lambdas.
#include <utility>
#include <vector>

#include "starlark/parser_internal.h"

namespace kraken::starlark {
namespace {

// Binary operator precedence, loosest first; 0 means not a binary operator.
int Precedence(Tok tok) {
  switch (tok) {
    case Tok::kOr:
      return 1;
    case Tok::kAnd:
      return 2;
    // 3 is 'not'
    case Tok::kEqEq:
    case Tok::kNe:
    case Tok::kLt:
    case Tok::kGt:
    case Tok::kLe:
    case Tok::kGe:
    case Tok::kIn:
    case Tok::kNotIn:
      return 4;
    case Tok::kPipe:
      return 5;
    case Tok::kCaret:
      return 6;
    case Tok::kAmp:
      return 7;
    case Tok::kLtLt:
    case Tok::kGtGt:
      return 8;
    case Tok::kMinus:
    case Tok::kPlus:
      return 9;
    case Tok::kStar:
    case Tok::kPercent:
    case Tok::kSlash:
    case Tok::kSlashSlash:
      return 10;
    default:
      return 0;
  }
}
constexpr int kNotPrecedence = 3;
constexpr int kComparePrecedence = 4;

bool TerminatesExprList(Tok tok) {
  switch (tok) {
    case Tok::kEof:
    case Tok::kNewline:
    case Tok::kEq:
    case Tok::kRBrace:
    case Tok::kRBrack:
    case Tok::kRParen:
    case Tok::kSemi:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string Parser::ParseIdentName() {
  if (tok_.kind != Tok::kIdent) Unexpected("identifier");
  std::string name = std::move(tok_.text);
  Next();
  return name;
}

std::unique_ptr<Ident> Parser::ParseIdent() {
  Pos pos = tok_.pos;
  return std::make_unique<Ident>(pos, ParseIdentName());
}

ExprPtr Parser::ParseForLoopVariables() {
  ExprPtr v = ParsePrimaryWithSuffix();
  if (tok_.kind != Tok::kComma) return v;
  auto tuple = std::make_unique<ListExpr>(ExprKind::kTuple, v->pos);
  tuple->items.push_back(std::move(v));
  while (tok_.kind == Tok::kComma) {
    Next();
    if (TerminatesExprList(tok_.kind) || tok_.kind == Tok::kIn) break;
    tuple->items.push_back(ParsePrimaryWithSuffix());
  }
  return tuple;
}

// Expression = Test {',' Test}, a tuple when there is a comma.
ExprPtr Parser::ParseExpr(bool in_parens) {
  ExprPtr x = ParseTest();
  if (tok_.kind != Tok::kComma) return x;
  auto tuple = std::make_unique<ListExpr>(ExprKind::kTuple, x->pos);
  tuple->items.push_back(std::move(x));
  ParseExprs(&tuple->items, in_parens);
  return tuple;
}

void Parser::ParseExprs(std::vector<ExprPtr>* items, bool allow_trailing_comma) {
  while (tok_.kind == Tok::kComma) {
    Pos pos = Next();
    if (TerminatesExprList(tok_.kind)) {
      if (!allow_trailing_comma)
        throw SyntaxError{pos, "unparenthesized tuple with trailing comma"};
      break;
    }
    items->push_back(ParseTest());
  }
}

ExprPtr Parser::ParseTest() {
  Depth depth(this);
  if (tok_.kind == Tok::kLambda) return ParseLambda(true);
  ExprPtr x = ParseBinary(0);
  if (tok_.kind == Tok::kIf) {
    Pos if_pos = Next();
    ExprPtr cond = ParseBinary(0);
    if (tok_.kind != Tok::kElse)
      throw SyntaxError{if_pos, "conditional expression without else clause"};
    Next();
    ExprPtr f = ParseTest();
    return std::make_unique<CondExpr>(std::move(x), std::move(cond), std::move(f));
  }
  return x;
}

ExprPtr Parser::ParseTestNoCond() {
  if (tok_.kind == Tok::kLambda) return ParseLambda(false);
  return ParseBinary(0);
}

ExprPtr Parser::ParseLambda(bool allow_cond) {
  auto fn = std::make_unique<FunctionDecl>();
  fn->name = "lambda";
  fn->pos = Next();
  if (tok_.kind != Tok::kColon) ParseParams(fn.get());
  Consume(Tok::kColon);
  ExprPtr body = allow_cond ? ParseTest() : ParseTestNoCond();
  Pos body_pos = body->pos;
  fn->body.push_back(std::make_unique<ReturnStmt>(body_pos, std::move(body)));
  Pos pos = fn->pos;
  return std::make_unique<LambdaExpr>(pos, std::move(fn));
}

// Precedence climbing over the binary operators and 'not'.
ExprPtr Parser::ParseBinary(int min_prec) {
  Depth depth(this);
  ExprPtr x;
  if (tok_.kind == Tok::kNot && min_prec <= kNotPrecedence) {
    Pos pos = Next();
    x = std::make_unique<UnaryExpr>(pos, Tok::kNot, ParseBinary(kNotPrecedence));
  } else {
    x = ParsePrimaryWithSuffix();
  }
  bool compared = false;
  Chain chain(this);
  for (;;) {
    if (tok_.kind == Tok::kNot) {
      Next();
      if (tok_.kind != Tok::kIn) Unexpected("in");
      tok_.kind = Tok::kNotIn;
    }
    int prec = Precedence(tok_.kind);
    if (prec == 0 || prec < min_prec) return x;
    if (prec == kComparePrecedence) {
      if (compared) {
        throw SyntaxError{tok_.end, "comparison operators do not associate (use parens)"};
      }
      compared = true;
    }
    Tok op = tok_.kind;
    Pos op_pos = Next();
    ExprPtr y = ParseBinary(prec + 1);
    chain.Link();
    x = std::make_unique<BinaryExpr>(op_pos, op, std::move(x), std::move(y));
  }
}

ExprPtr Parser::ParsePrimaryWithSuffix() {
  Depth depth(this);
  ExprPtr x = ParsePrimary();
  Chain chain(this);
  for (;;) {
    if (tok_.kind == Tok::kDot || tok_.kind == Tok::kLBrack || tok_.kind == Tok::kLParen)
      chain.Link();
    switch (tok_.kind) {
      case Tok::kDot: {
        Pos dot = Next();
        std::string name = ParseIdentName();
        x = std::make_unique<DotExpr>(std::move(x), dot, std::move(name));
        break;
      }
      case Tok::kLBrack:
        x = ParseSliceSuffix(std::move(x));
        break;
      case Tok::kLParen:
        x = ParseCallSuffix(std::move(x));
        break;
      default:
        return x;
    }
  }
}

ExprPtr Parser::ParseSliceSuffix(ExprPtr x) {
  Pos lbrack = Next();
  ExprPtr lo, hi, step;
  if (tok_.kind != Tok::kColon) {
    ExprPtr y = ParseExpr(false);
    if (tok_.kind == Tok::kRBrack) {
      Next();
      return std::make_unique<IndexExpr>(std::move(x), lbrack, std::move(y));
    }
    lo = std::move(y);
  }
  auto slice = std::make_unique<SliceExpr>(std::move(x), lbrack);
  slice->lo = std::move(lo);
  Consume(Tok::kColon);
  if (tok_.kind != Tok::kColon && tok_.kind != Tok::kRBrack) slice->hi = ParseTest();
  if (tok_.kind == Tok::kColon) {
    Next();
    if (tok_.kind != Tok::kRBrack) slice->step = ParseTest();
  }
  Consume(Tok::kRBrack);
  return slice;
}

ExprPtr Parser::ParseCallSuffix(ExprPtr fn) {
  Pos lparen = Next();
  auto call = std::make_unique<CallExpr>(std::move(fn), lparen);
  while (tok_.kind != Tok::kRParen && tok_.kind != Tok::kEof) {
    if (!call->args.empty()) Consume(Tok::kComma);
    if (tok_.kind == Tok::kRParen) break;
    Argument arg;
    arg.pos = tok_.pos;
    if (tok_.kind == Tok::kStar || tok_.kind == Tok::kStarStar) {
      arg.kind = tok_.kind == Tok::kStar ? Argument::kStar : Argument::kStarStar;
      Next();
      arg.value = ParseTest();
    } else {
      ExprPtr x = ParseTest();
      if (tok_.kind == Tok::kEq) {
        if (x->kind != ExprKind::kIdent)
          throw SyntaxError{tok_.end, "keyword argument must have form name=expr"};
        Next();
        arg.kind = Argument::kNamed;
        arg.name = static_cast<Ident*>(x.get())->name;
        arg.name_value = Value::String(arg.name);
        arg.value = ParseTest();
      } else {
        arg.value = std::move(x);
      }
    }
    if (arg.kind != Argument::kPositional) call->simple = false;
    call->args.push_back(std::move(arg));
  }
  Consume(Tok::kRParen);
  return call;
}

ExprPtr Parser::ParsePrimary() {
  Pos pos = tok_.pos;
  switch (tok_.kind) {
    case Tok::kIdent:
      return ParseIdent();
    case Tok::kInt: {
      int64_t v = tok_.int_value;
      Next();
      return std::make_unique<Literal>(pos, Value::Int(v));
    }
    case Tok::kFloat: {
      double v = tok_.float_value;
      Next();
      return std::make_unique<Literal>(pos, Value::Float(v));
    }
    case Tok::kString: {
      std::string s = std::move(tok_.text);
      Next();
      return std::make_unique<Literal>(pos, Value::String(std::move(s)));
    }
    case Tok::kLBrack: {
      Next();
      auto list = std::make_unique<ListExpr>(ExprKind::kList, pos);
      if (tok_.kind == Tok::kRBrack) {
        Next();
        return list;
      }
      ExprPtr x = ParseTest();
      if (tok_.kind == Tok::kFor) {
        auto comp = std::make_unique<Comprehension>(pos, false);
        comp->body = std::move(x);
        return ParseComprehensionSuffix(std::move(comp), Tok::kRBrack);
      }
      list->items.push_back(std::move(x));
      if (tok_.kind == Tok::kComma) ParseExprs(&list->items, true);
      Consume(Tok::kRBrack);
      return list;
    }
    case Tok::kLBrace: {
      Next();
      auto dict = std::make_unique<DictExpr>(pos);
      if (tok_.kind == Tok::kRBrace) {
        Next();
        return dict;
      }
      DictEntry entry = ParseDictEntry();
      if (tok_.kind == Tok::kFor) {
        auto comp = std::make_unique<Comprehension>(pos, true);
        comp->body = std::move(entry.key);
        comp->value = std::move(entry.value);
        comp->colon = entry.colon;
        return ParseComprehensionSuffix(std::move(comp), Tok::kRBrace);
      }
      dict->entries.push_back(std::move(entry));
      while (tok_.kind == Tok::kComma) {
        Next();
        if (tok_.kind == Tok::kRBrace) break;
        dict->entries.push_back(ParseDictEntry());
      }
      Consume(Tok::kRBrace);
      return dict;
    }
    case Tok::kLParen: {
      Next();
      if (tok_.kind == Tok::kRParen) {
        Next();
        return std::make_unique<ListExpr>(ExprKind::kTuple, pos);
      }
      ExprPtr x = ParseExpr(true);
      Consume(Tok::kRParen);
      return x;
    }
    case Tok::kMinus:
    case Tok::kPlus:
    case Tok::kTilde: {
      Tok op = tok_.kind;
      Next();
      return std::make_unique<UnaryExpr>(pos, op, ParsePrimaryWithSuffix());
    }
    default:
      Unexpected("primary expression");
  }
}

DictEntry Parser::ParseDictEntry() {
  DictEntry entry;
  entry.key = ParseTest();
  entry.colon = Consume(Tok::kColon);
  entry.value = ParseTest();
  return entry;
}

ExprPtr Parser::ParseComprehensionSuffix(std::unique_ptr<Comprehension> comp, Tok end) {
  Chain chain(this);
  while (tok_.kind != end) {
    chain.Link();
    Clause clause;
    clause.pos = tok_.pos;
    if (tok_.kind == Tok::kFor) {
      Next();
      clause.vars = ParseForLoopVariables();
      Consume(Tok::kIn);
      clause.x = ParseBinary(0);
    } else if (tok_.kind == Tok::kIf) {
      Next();
      clause.is_if = true;
      clause.x = ParseTestNoCond();
    } else {
      Unexpected(TokenName(end) + ", for, or if");
    }
    comp->clauses.push_back(std::move(clause));
  }
  Next();
  return comp;
}

}  // namespace kraken::starlark
