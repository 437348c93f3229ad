// Parser is the recursive-descent parser behind ParseFile and ParseExpression (parser.h),
// one token of lookahead over the Lexer. Its statement rules live in parser.cc and its
// expression rules in expression_parser.cc; nothing else includes this header. Syntax errors
// are thrown as SyntaxError and turned into an Error by the entry points. One Parser per
// source text; not thread-safe.
#ifndef KRAKEN_STARLARK_PARSER_INTERNAL_H_
#define KRAKEN_STARLARK_PARSER_INTERNAL_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "starlark/ast.h"
#include "starlark/lexer.h"
#include "starlark/parser.h"

namespace kraken::starlark {

class Parser {
 public:
  explicit Parser(std::string_view source) : lexer_(source) { Next(); }

  void ParseFileBody(std::vector<StmtPtr>* body);
  ExprPtr ParseSingleExpression();

 private:
  // Depth guards recursion through nested constructs.
  class Depth {
   public:
    explicit Depth(Parser* p) : p_(p) { p_->Deeper(); }
    ~Depth() { --p_->depth_; }

   private:
    Parser* p_;
  };
  // Chain counts the links of a chain the parser builds in a loop but that nests in the
  // tree (a + b + c, x.f[0](), comprehension clauses): the resolver, the evaluator and
  // the tree's destructor recurse over it as deeply as over brackets.
  class Chain {
   public:
    explicit Chain(Parser* p) : p_(p) {}
    ~Chain() { p_->depth_ -= links_; }
    void Link() {
      ++links_;
      p_->Deeper();
    }

   private:
    Parser* p_;
    int links_ = 0;
  };

  void Deeper() {
    if (++depth_ > kMaxNesting) {
      throw SyntaxError{tok_.pos, "nesting too deep: more than " + std::to_string(kMaxNesting) +
                                      " levels of brackets, operators or blocks"};
    }
  }

  Pos Next() {
    Pos pos = tok_.pos;
    tok_ = lexer_.Next();
    return pos;
  }
  // Like the reference implementation, reports the position just past the
  // offending token.
  [[noreturn]] void Unexpected(const std::string& want) {
    throw SyntaxError{tok_.end, "got " + TokenName(tok_.kind) + ", want " + want};
  }
  Pos Consume(Tok kind) {
    if (tok_.kind != kind) Unexpected(TokenName(kind));
    return Next();
  }

  // Statements (parser.cc).
  void ParseStmt(std::vector<StmtPtr>* out);
  StmtPtr ParseDef();
  StmtPtr ParseIf();
  void ParseSuite(std::vector<StmtPtr>* out);
  void ParseSimpleStmt(std::vector<StmtPtr>* out);
  StmtPtr ParseSmallStmt();
  void ParseParams(FunctionDecl* fn);

  // Expressions (expression_parser.cc).
  std::string ParseIdentName();
  std::unique_ptr<Ident> ParseIdent();
  ExprPtr ParseForLoopVariables();
  ExprPtr ParseExpr(bool in_parens);
  void ParseExprs(std::vector<ExprPtr>* items, bool allow_trailing_comma);
  ExprPtr ParseTest();
  ExprPtr ParseTestNoCond();
  ExprPtr ParseLambda(bool allow_cond);
  ExprPtr ParseBinary(int min_prec);
  ExprPtr ParsePrimaryWithSuffix();
  ExprPtr ParseSliceSuffix(ExprPtr x);
  ExprPtr ParseCallSuffix(ExprPtr fn);
  ExprPtr ParsePrimary();
  DictEntry ParseDictEntry();
  ExprPtr ParseComprehensionSuffix(std::unique_ptr<Comprehension> comp, Tok end);

  Lexer lexer_;
  Token tok_;
  int depth_ = 0;
};

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_PARSER_INTERNAL_H_
