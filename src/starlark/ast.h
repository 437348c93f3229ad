// The syntax tree of a Starlark file, produced by the parser and annotated
// in place by the resolver (each identifier gets a Binding saying where its
// variable lives). A tree is immutable once resolved and is shared by every
// function value created from it.
#ifndef KRAKEN_STARLARK_AST_H_
#define KRAKEN_STARLARK_AST_H_

#include <memory>
#include <string>
#include <vector>

#include "starlark/error.h"
#include "starlark/lexer.h"
#include "starlark/value.h"

namespace kraken::starlark {

enum class Scope : uint8_t { kUndefined, kLocal, kCell, kFree, kGlobal, kPredeclared, kUniversal };

// Binding is one variable. Local and cell indices are frame slots; free
// indices point into the function's captured cells; globals into the
// module's global table; predeclared into the host-supplied values.
struct Binding {
  std::string name;
  Scope scope = Scope::kUndefined;
  int index = 0;
  Pos first;  // where it was first bound
};

enum class ExprKind : uint8_t {
  kIdent,
  kLiteral,
  kUnary,
  kBinary,
  kCond,
  kIndex,
  kSlice,
  kDot,
  kCall,
  kList,
  kTuple,
  kDict,
  kComprehension,
  kLambda,
};

struct Expr {
  Expr(ExprKind kind, Pos pos) : kind(kind), pos(pos) {}
  virtual ~Expr() = default;
  ExprKind kind;
  Pos pos;  // where the expression starts
};
using ExprPtr = std::unique_ptr<Expr>;

struct Ident : Expr {
  Ident(Pos pos, std::string name) : Expr(ExprKind::kIdent, pos), name(std::move(name)) {}
  std::string name;
  Binding* binding = nullptr;
};

struct Literal : Expr {
  Literal(Pos pos, Value value) : Expr(ExprKind::kLiteral, pos), value(std::move(value)) {}
  Value value;
};

struct UnaryExpr : Expr {  // pos is the operator
  UnaryExpr(Pos pos, Tok op, ExprPtr x) : Expr(ExprKind::kUnary, pos), op(op), x(std::move(x)) {}
  Tok op;
  ExprPtr x;
};

struct BinaryExpr : Expr {
  BinaryExpr(Pos op_pos, Tok op, ExprPtr x, ExprPtr y)
      : Expr(ExprKind::kBinary, x->pos), op(op), op_pos(op_pos), x(std::move(x)), y(std::move(y)) {}
  Tok op;
  Pos op_pos;
  ExprPtr x, y;
};

struct CondExpr : Expr {
  CondExpr(ExprPtr t, ExprPtr cond, ExprPtr f)
      : Expr(ExprKind::kCond, t->pos), cond(std::move(cond)), t(std::move(t)), f(std::move(f)) {}
  ExprPtr cond, t, f;
};

struct IndexExpr : Expr {
  IndexExpr(ExprPtr x, Pos lbrack, ExprPtr y)
      : Expr(ExprKind::kIndex, x->pos), x(std::move(x)), y(std::move(y)), lbrack(lbrack) {}
  ExprPtr x, y;
  Pos lbrack;
};

struct SliceExpr : Expr {
  SliceExpr(ExprPtr x, Pos lbrack)
      : Expr(ExprKind::kSlice, x->pos), x(std::move(x)), lbrack(lbrack) {}
  ExprPtr x, lo, hi, step;
  Pos lbrack;
};

struct DotExpr : Expr {
  DotExpr(ExprPtr x, Pos dot, std::string name)
      : Expr(ExprKind::kDot, x->pos), x(std::move(x)), name(std::move(name)), dot(dot) {}
  ExprPtr x;
  std::string name;
  Pos dot;
};

struct Argument {
  enum Kind : uint8_t { kPositional, kNamed, kStar, kStarStar };
  Kind kind = kPositional;
  Pos pos;
  std::string name;  // for kNamed
  Value name_value;  // name as a string value, for kwargs dicts
  ExprPtr value;
};

struct CallExpr : Expr {
  CallExpr(ExprPtr fn, Pos lparen)
      : Expr(ExprKind::kCall, fn->pos), fn(std::move(fn)), lparen(lparen) {}
  ExprPtr fn;
  std::vector<Argument> args;
  Pos lparen;
  bool simple = true;  // only positional arguments
};

struct ListExpr : Expr {  // kList or kTuple
  ListExpr(ExprKind kind, Pos pos) : Expr(kind, pos) {}
  std::vector<ExprPtr> items;
};

struct DictEntry {
  ExprPtr key, value;
  Pos colon;
};

struct DictExpr : Expr {
  explicit DictExpr(Pos pos) : Expr(ExprKind::kDict, pos) {}
  std::vector<DictEntry> entries;
};

struct Clause {
  bool is_if = false;
  Pos pos;       // the 'for' or 'if' keyword
  ExprPtr vars;  // for: the loop variables
  ExprPtr x;     // for: the iterable; if: the condition
};

struct Comprehension : Expr {
  Comprehension(Pos pos, bool curly) : Expr(ExprKind::kComprehension, pos), curly(curly) {}
  bool curly;
  ExprPtr body;   // list element, or dict key
  ExprPtr value;  // dict value
  Pos colon;
  std::vector<Clause> clauses;
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
struct FunctionDecl;

struct LambdaExpr : Expr {
  LambdaExpr(Pos pos, std::unique_ptr<FunctionDecl> fn);
  ~LambdaExpr() override;
  std::unique_ptr<FunctionDecl> fn;
};

enum class StmtKind : uint8_t {
  kExpr,
  kAssign,
  kDef,
  kIf,
  kFor,
  kWhile,
  kReturn,
  kBreak,
  kContinue,
  kPass,
  kLoad
};

struct Stmt {
  Stmt(StmtKind kind, Pos pos) : kind(kind), pos(pos) {}
  virtual ~Stmt() = default;
  StmtKind kind;
  Pos pos;
};

struct ExprStmt : Stmt {
  explicit ExprStmt(ExprPtr x) : Stmt(StmtKind::kExpr, x->pos), x(std::move(x)) {}
  ExprPtr x;
};

struct AssignStmt : Stmt {  // op is kEq or an augmented operator like kPlusEq
  AssignStmt(Tok op, Pos op_pos, ExprPtr lhs, ExprPtr rhs)
      : Stmt(StmtKind::kAssign, lhs->pos),
        op(op),
        op_pos(op_pos),
        lhs(std::move(lhs)),
        rhs(std::move(rhs)) {}
  Tok op;
  Pos op_pos;
  ExprPtr lhs, rhs;
};

struct Param {
  enum Kind : uint8_t { kRequired, kOptional, kStar, kStarStar };
  Kind kind = kRequired;
  std::unique_ptr<Ident> name;  // null for a bare '*'
  ExprPtr default_value;
  Pos pos;
};

// FunctionDecl is a def or lambda. After resolution, frame slots hold the
// parameters first (positional, keyword-only, *args, **kwargs), then the
// other locals.
struct FunctionDecl {
  std::string name;
  Pos pos;  // the 'def' or 'lambda' keyword
  std::vector<Param> params;
  std::vector<StmtPtr> body;

  int num_params = 0;  // positional and keyword-only, excluding * and **
  int num_kwonly = 0;
  bool has_varargs = false;
  bool has_kwargs = false;
  std::vector<std::unique_ptr<Binding>> locals;
  std::vector<int> cells;          // local slots that nested functions capture
  std::vector<Binding*> freevars;  // enclosing bindings captured, in order
  std::vector<Value> param_names;  // as strings, for keyword matching
};

struct DefStmt : Stmt {
  DefStmt(Pos pos, std::unique_ptr<Ident> name, std::unique_ptr<FunctionDecl> fn)
      : Stmt(StmtKind::kDef, pos), name(std::move(name)), fn(std::move(fn)) {}
  std::unique_ptr<Ident> name;
  std::unique_ptr<FunctionDecl> fn;
};

struct IfStmt : Stmt {
  IfStmt(Pos pos, ExprPtr cond) : Stmt(StmtKind::kIf, pos), cond(std::move(cond)) {}
  ExprPtr cond;
  std::vector<StmtPtr> then_body, else_body;
};

struct ForStmt : Stmt {
  ForStmt(Pos pos, ExprPtr vars, ExprPtr x)
      : Stmt(StmtKind::kFor, pos), vars(std::move(vars)), x(std::move(x)) {}
  ExprPtr vars, x;
  std::vector<StmtPtr> body;
};

struct WhileStmt : Stmt {
  WhileStmt(Pos pos, ExprPtr cond) : Stmt(StmtKind::kWhile, pos), cond(std::move(cond)) {}
  ExprPtr cond;
  std::vector<StmtPtr> body;
};

struct ReturnStmt : Stmt {
  ReturnStmt(Pos pos, ExprPtr result) : Stmt(StmtKind::kReturn, pos), result(std::move(result)) {}
  ExprPtr result;  // may be null
};

struct LoadStmt : Stmt {
  explicit LoadStmt(Pos pos) : Stmt(StmtKind::kLoad, pos) {}
};

// File is a parsed source file; its top level is compiled like a function
// whose assignments bind globals.
struct File {
  std::string name;
  std::vector<StmtPtr> body;
  FunctionDecl toplevel;
  std::vector<std::unique_ptr<Binding>> globals;
  std::vector<std::unique_ptr<Binding>> predeclared;
  std::vector<std::unique_ptr<Binding>> universals;
  std::vector<std::unique_ptr<Binding>> extra_bindings;  // free and undefined
};

inline LambdaExpr::LambdaExpr(Pos pos, std::unique_ptr<FunctionDecl> fn)
    : Expr(ExprKind::kLambda, pos), fn(std::move(fn)) {}
inline LambdaExpr::~LambdaExpr() = default;

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_AST_H_
