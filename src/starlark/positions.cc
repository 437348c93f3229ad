#include "starlark/positions.h"

namespace kraken::starlark {
namespace {

// The first position the function's code reports, which is where the
// reference implementation places errors in binding arguments: the first
// variable or operation evaluated by the body, else the 'def' keyword.
Pos FirstPos(const Expr* e) {
  switch (e->kind) {
    case ExprKind::kIdent: {
      auto* id = static_cast<const Ident*>(e);
      return id->binding != nullptr && id->binding->scope == Scope::kUniversal ? Pos{} : id->pos;
    }
    case ExprKind::kUnary:
      return FirstPos(static_cast<const UnaryExpr*>(e)->x.get());
    case ExprKind::kBinary:
      return FirstPos(static_cast<const BinaryExpr*>(e)->x.get());
    case ExprKind::kCond:
      return FirstPos(static_cast<const CondExpr*>(e)->cond.get());
    case ExprKind::kIndex:
      return FirstPos(static_cast<const IndexExpr*>(e)->x.get());
    case ExprKind::kDot:
      return FirstPos(static_cast<const DotExpr*>(e)->x.get());
    case ExprKind::kCall:
      return FirstPos(static_cast<const CallExpr*>(e)->fn.get());
    case ExprKind::kSlice: {
      auto* s = static_cast<const SliceExpr*>(e);
      Pos p = FirstPos(s->x.get());
      return p.line != 0 ? p : s->lbrack;
    }
    case ExprKind::kList:
    case ExprKind::kTuple: {
      const auto& items = static_cast<const ListExpr*>(e)->items;
      return items.empty() ? Pos{} : FirstPos(items[0].get());
    }
    default:
      return Pos{};
  }
}

}  // namespace

Pos EntryPos(const FunctionDecl* decl) {
  for (const StmtPtr& s : decl->body) {
    const Expr* first = nullptr;
    switch (s->kind) {
      case StmtKind::kPass:
        continue;
      case StmtKind::kExpr:
        first = static_cast<const ExprStmt*>(s.get())->x.get();
        break;
      case StmtKind::kReturn:
        first = static_cast<const ReturnStmt*>(s.get())->result.get();
        break;
      case StmtKind::kIf:
        first = static_cast<const IfStmt*>(s.get())->cond.get();
        break;
      case StmtKind::kFor:
        first = static_cast<const ForStmt*>(s.get())->x.get();
        break;
      case StmtKind::kAssign: {
        auto* a = static_cast<const AssignStmt*>(s.get());
        first = a->op != Tok::kEq ? a->lhs.get() : a->rhs.get();
        break;
      }
      default:
        break;
    }
    Pos p = first != nullptr ? FirstPos(first) : Pos{};
    return p.line != 0 ? p : decl->pos;
  }
  return decl->pos;
}

// The position of the last operation in e that reports one, if any.
Pos LastPos(const Expr* e) {
  switch (e->kind) {
    case ExprKind::kIdent: {
      auto* id = static_cast<const Ident*>(e);
      return id->binding != nullptr && id->binding->scope == Scope::kUniversal ? Pos{} : id->pos;
    }
    case ExprKind::kUnary:
      return e->pos;
    case ExprKind::kBinary: {
      auto* b = static_cast<const BinaryExpr*>(e);
      if (b->op != Tok::kAnd && b->op != Tok::kOr) return b->op_pos;
      Pos p = LastPos(b->y.get());
      return p.line != 0 ? p : LastPos(b->x.get());
    }
    case ExprKind::kIndex:
      return static_cast<const IndexExpr*>(e)->lbrack;
    case ExprKind::kDot:
      return static_cast<const DotExpr*>(e)->dot;
    case ExprKind::kCall:
      return static_cast<const CallExpr*>(e)->lparen;
    case ExprKind::kCond: {
      Pos p = LastPos(static_cast<const CondExpr*>(e)->f.get());
      return p.line != 0 ? p : LastPos(static_cast<const CondExpr*>(e)->t.get());
    }
    case ExprKind::kList:
    case ExprKind::kTuple: {
      Pos last;
      for (const auto& x : static_cast<const ListExpr*>(e)->items) {
        Pos p = LastPos(x.get());
        if (p.line != 0) last = p;
      }
      return last;
    }
    case ExprKind::kDict: {
      const auto& entries = static_cast<const DictExpr*>(e)->entries;
      return entries.empty() ? Pos{} : entries.back().colon;
    }
    case ExprKind::kSlice:
      return SlicePos(static_cast<const SliceExpr*>(e));
    default:
      return Pos{};
  }
}

// Where the reference implementation reports a failed slice: its compiler
// gives the slice operation the position of the last positioned
// instruction among its operands, or of the '[' if there is none.
Pos SlicePos(const SliceExpr* s) {
  Pos pos = s->lbrack;
  for (const Expr* part : {s->x.get(), s->lo.get(), s->hi.get(), s->step.get()}) {
    if (part == nullptr) continue;
    Pos p = LastPos(part);
    if (p.line != 0) pos = p;
  }
  return pos;
}

}  // namespace kraken::starlark
