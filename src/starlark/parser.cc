// The statement rules of the parser (class Parser in parser_internal.h) and the entry points
// ParseFile and ParseExpression; expression_parser.cc holds the expression rules.
#include "starlark/parser.h"

#include <utility>
#include <vector>

#include "starlark/parser_internal.h"

namespace kraken::starlark {

void Parser::ParseFileBody(std::vector<StmtPtr>* body) {
  while (tok_.kind != Tok::kEof) {
    if (tok_.kind == Tok::kNewline) {
      Next();
      continue;
    }
    ParseStmt(body);
  }
}

ExprPtr Parser::ParseSingleExpression() {
  while (tok_.kind == Tok::kNewline) Next();
  ExprPtr x = ParseExpr(false);
  while (tok_.kind == Tok::kNewline) Next();
  if (tok_.kind != Tok::kEof) Unexpected("end of expression");
  return x;
}

void Parser::ParseStmt(std::vector<StmtPtr>* out) {
  Depth depth(this);
  switch (tok_.kind) {
    case Tok::kDef:
      out->push_back(ParseDef());
      return;
    case Tok::kIf:
      out->push_back(ParseIf());
      return;
    case Tok::kFor: {
      Pos pos = Next();
      ExprPtr vars = ParseForLoopVariables();
      Consume(Tok::kIn);
      ExprPtr x = ParseExpr(false);
      Consume(Tok::kColon);
      auto stmt = std::make_unique<ForStmt>(pos, std::move(vars), std::move(x));
      ParseSuite(&stmt->body);
      out->push_back(std::move(stmt));
      return;
    }
    case Tok::kWhile: {
      Pos pos = Next();
      auto stmt = std::make_unique<WhileStmt>(pos, ParseTest());
      Consume(Tok::kColon);
      ParseSuite(&stmt->body);
      out->push_back(std::move(stmt));
      return;
    }
    default:
      ParseSimpleStmt(out);
      return;
  }
}

StmtPtr Parser::ParseDef() {
  Pos pos = Next();
  Pos name_pos = tok_.pos;
  std::string name = ParseIdentName();
  Consume(Tok::kLParen);
  auto fn = std::make_unique<FunctionDecl>();
  fn->name = name;
  fn->pos = pos;
  ParseParams(fn.get());
  Consume(Tok::kRParen);
  Consume(Tok::kColon);
  ParseSuite(&fn->body);
  return std::make_unique<DefStmt>(pos, std::make_unique<Ident>(name_pos, name), std::move(fn));
}

StmtPtr Parser::ParseIf() {
  Depth depth(this);  // each elif nests in the else branch of the one before
  Pos pos = Next();   // 'if' or 'elif'
  auto stmt = std::make_unique<IfStmt>(pos, ParseTest());
  Consume(Tok::kColon);
  ParseSuite(&stmt->then_body);
  if (tok_.kind == Tok::kElif) {
    stmt->else_body.push_back(ParseIf());
  } else if (tok_.kind == Tok::kElse) {
    Next();
    Consume(Tok::kColon);
    ParseSuite(&stmt->else_body);
  }
  return stmt;
}

void Parser::ParseSuite(std::vector<StmtPtr>* out) {
  if (tok_.kind == Tok::kNewline) {
    Next();
    Consume(Tok::kIndent);
    while (tok_.kind != Tok::kOutdent && tok_.kind != Tok::kEof) ParseStmt(out);
    Consume(Tok::kOutdent);
    return;
  }
  ParseSimpleStmt(out);
}

void Parser::ParseSimpleStmt(std::vector<StmtPtr>* out) {
  for (;;) {
    out->push_back(ParseSmallStmt());
    if (tok_.kind != Tok::kSemi) break;
    Next();
    if (tok_.kind == Tok::kNewline || tok_.kind == Tok::kEof) break;
  }
  if (tok_.kind != Tok::kEof) Consume(Tok::kNewline);
}

StmtPtr Parser::ParseSmallStmt() {
  Pos pos = tok_.pos;
  switch (tok_.kind) {
    case Tok::kReturn: {
      Next();
      ExprPtr result;
      if (tok_.kind != Tok::kEof && tok_.kind != Tok::kNewline && tok_.kind != Tok::kSemi) {
        result = ParseExpr(false);
      }
      return std::make_unique<ReturnStmt>(pos, std::move(result));
    }
    case Tok::kBreak:
      Next();
      return std::make_unique<Stmt>(StmtKind::kBreak, pos);
    case Tok::kContinue:
      Next();
      return std::make_unique<Stmt>(StmtKind::kContinue, pos);
    case Tok::kPass:
      Next();
      return std::make_unique<Stmt>(StmtKind::kPass, pos);
    case Tok::kLoad: {
      // load() needs a module loader, which Kraken does not provide; the
      // statement is parsed so that the resolver can reject it clearly.
      Next();
      Consume(Tok::kLParen);
      int nesting = 1;
      while (nesting > 0 && tok_.kind != Tok::kEof) {
        if (tok_.kind == Tok::kLParen) ++nesting;
        if (tok_.kind == Tok::kRParen) --nesting;
        Next();
      }
      return std::make_unique<LoadStmt>(pos);
    }
    default:
      break;
  }
  ExprPtr x = ParseExpr(false);
  switch (tok_.kind) {
    case Tok::kEq:
    case Tok::kPlusEq:
    case Tok::kMinusEq:
    case Tok::kStarEq:
    case Tok::kSlashEq:
    case Tok::kSlashSlashEq:
    case Tok::kPercentEq:
    case Tok::kAmpEq:
    case Tok::kPipeEq:
    case Tok::kCaretEq:
    case Tok::kLtLtEq:
    case Tok::kGtGtEq: {
      Tok op = tok_.kind;
      Pos op_pos = Next();
      ExprPtr rhs = ParseExpr(false);
      return std::make_unique<AssignStmt>(op, op_pos, std::move(x), std::move(rhs));
    }
    default:
      return std::make_unique<ExprStmt>(std::move(x));
  }
}

void Parser::ParseParams(FunctionDecl* fn) {
  while (tok_.kind != Tok::kRParen && tok_.kind != Tok::kColon && tok_.kind != Tok::kEof) {
    if (!fn->params.empty()) Consume(Tok::kComma);
    if (tok_.kind == Tok::kRParen || tok_.kind == Tok::kColon) break;
    Param param;
    param.pos = tok_.pos;
    if (tok_.kind == Tok::kStar || tok_.kind == Tok::kStarStar) {
      param.kind = tok_.kind == Tok::kStar ? Param::kStar : Param::kStarStar;
      Next();
      if (param.kind == Param::kStarStar || tok_.kind == Tok::kIdent) param.name = ParseIdent();
    } else {
      param.name = ParseIdent();
      if (tok_.kind == Tok::kEq) {
        Next();
        param.kind = Param::kOptional;
        param.default_value = ParseTest();
      }
    }
    fn->params.push_back(std::move(param));
  }
}

tl::expected<std::unique_ptr<File>, Error> ParseFile(std::string_view source,
                                                     std::string filename) {
  auto file = std::make_unique<File>();
  file->name = std::move(filename);
  try {
    Parser parser(source);
    parser.ParseFileBody(&file->body);
  } catch (const SyntaxError& e) {
    return tl::unexpected(StaticError(file->name, e.pos, e.message));
  }
  return file;
}

tl::expected<std::unique_ptr<File>, Error> ParseExpression(std::string_view source,
                                                           std::string filename) {
  auto file = std::make_unique<File>();
  file->name = std::move(filename);
  try {
    Parser parser(source);
    ExprPtr x = parser.ParseSingleExpression();
    file->body.push_back(std::make_unique<ExprStmt>(std::move(x)));
  } catch (const SyntaxError& e) {
    return tl::unexpected(StaticError(file->name, e.pos, e.message));
  }
  return file;
}

}  // namespace kraken::starlark
