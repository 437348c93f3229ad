// Statement execution of the tree-walking evaluator (see interpreter.h): assignments,
// control flow, function bodies and the top level; expression_eval.cc evaluates expressions.
#include "starlark/interpreter.h"

#include <string>
#include <utility>
#include <vector>

#include "starlark/attributes.h"
#include "starlark/frame.h"
#include "starlark/objects.h"
#include "starlark/operators.h"
#include "starlark/positions.h"

namespace kraken::starlark {
namespace internal {
namespace {

enum class Flow { kNormal, kBreak, kContinue, kReturn };

Flow Exec(Frame& fr, const std::vector<StmtPtr>& body);

void SetVariable(Frame& fr, const Ident* id, Value v) {
  const Binding* b = id->binding;
  switch (b->scope) {
    case Scope::kLocal:
      fr.locals[b->index] = std::move(v);
      return;
    case Scope::kCell:
      fr.locals[b->index].as<CellObject>()->value = std::move(v);
      return;
    case Scope::kFree:
      fr.fn->freevars[b->index].as<CellObject>()->value = std::move(v);
      return;
    case Scope::kGlobal:
      fr.module->globals[b->index] = std::move(v);
      return;
    default:
      Fail("cannot assign to " + id->name);
  }
}

}  // namespace

void Assign(Frame& fr, const Expr* lhs, Value v, Pos pos) {
  switch (lhs->kind) {
    case ExprKind::kIdent:
      SetVariable(fr, static_cast<const Ident*>(lhs), std::move(v));
      return;
    case ExprKind::kIndex: {
      auto* ix = static_cast<const IndexExpr*>(lhs);
      Value x = Eval(fr, ix->x.get());
      Value y = Eval(fr, ix->y.get());
      fr.pos = ix->lbrack;
      SetIndex(x, y, std::move(v));
      return;
    }
    case ExprKind::kDot: {
      auto* dot = static_cast<const DotExpr*>(lhs);
      Value x = Eval(fr, dot->x.get());
      fr.pos = dot->dot;
      Fail("can't assign to ." + dot->name + " field of " + std::string(TypeName(x)));
    }
    case ExprKind::kTuple:
    case ExprKind::kList: {
      const auto& targets = static_cast<const ListExpr*>(lhs)->items;
      fr.pos = pos;
      std::vector<Value> items;
      if (v.is(Type::kList) || v.is(Type::kTuple) || v.is(Type::kDict) || v.is(Type::kRange)) {
        Iterate(fr.thread, v, [&](const Value& x) {
          items.push_back(x);
          return items.size() <= targets.size();
        });
      } else {
        Fail("got " + std::string(TypeName(v)) + " in sequence assignment");
      }
      if (items.size() != targets.size()) {
        Fail(std::string(items.size() > targets.size() ? "too many" : "too few") +
             " values to unpack (got " +
             (items.size() > targets.size() ? "more" : std::to_string(items.size())) + ", want " +
             std::to_string(targets.size()) + ")");
      }
      for (size_t i = 0; i < targets.size(); ++i)
        Assign(fr, targets[i].get(), std::move(items[i]), pos);
      return;
    }
    default:
      Fail("can't assign to expression");
  }
}

namespace {

// list += iterable extends the list in place, as the spec requires.
Value AugmentedAdd(Frame& fr, const Value& x, const Value& y) {
  if (x.is(Type::kList) &&
      (y.is(Type::kList) || y.is(Type::kTuple) || y.is(Type::kDict) || y.is(Type::kRange))) {
    CheckMutable(x, "apply += to");
    auto* list = x.as<ListObject>();
    std::vector<Value> extra;
    Iterate(fr.thread, y, [&](const Value& v) {
      extra.push_back(v);
      return true;
    });
    fr.thread.Charge(extra.size() * sizeof(Value));
    for (Value& v : extra) list->items.push_back(std::move(v));
    return x;
  }
  return Binary(fr.thread, Tok::kPlus, x, y);
}

Tok AugmentedOp(Tok op) {
  switch (op) {
    case Tok::kPlusEq:
      return Tok::kPlus;
    case Tok::kMinusEq:
      return Tok::kMinus;
    case Tok::kStarEq:
      return Tok::kStar;
    case Tok::kSlashEq:
      return Tok::kSlash;
    case Tok::kSlashSlashEq:
      return Tok::kSlashSlash;
    case Tok::kPercentEq:
      return Tok::kPercent;
    case Tok::kAmpEq:
      return Tok::kAmp;
    case Tok::kPipeEq:
      return Tok::kPipe;
    case Tok::kCaretEq:
      return Tok::kCaret;
    case Tok::kLtLtEq:
      return Tok::kLtLt;
    default:
      return Tok::kGtGt;
  }
}

void ExecAssign(Frame& fr, const AssignStmt* s) {
  if (s->op == Tok::kEq) {
    Value v = Eval(fr, s->rhs.get());
    Assign(fr, s->lhs.get(), std::move(v), s->op_pos);
    return;
  }
  // Augmented assignment evaluates the target's operands only once.
  Tok op = AugmentedOp(s->op);
  switch (s->lhs->kind) {
    case ExprKind::kIdent: {
      auto* id = static_cast<const Ident*>(s->lhs.get());
      Value x = Lookup(fr, id);
      Value y = Eval(fr, s->rhs.get());
      fr.pos = s->op_pos;
      SetVariable(fr, id, op == Tok::kPlus ? AugmentedAdd(fr, x, y) : Binary(fr.thread, op, x, y));
      return;
    }
    case ExprKind::kIndex: {
      auto* ix = static_cast<const IndexExpr*>(s->lhs.get());
      Value c = Eval(fr, ix->x.get());
      Value k = Eval(fr, ix->y.get());
      fr.pos = ix->lbrack;
      Value x = Index(fr.thread, c, k);
      Value y = Eval(fr, s->rhs.get());
      fr.pos = s->op_pos;
      Value r = op == Tok::kPlus ? AugmentedAdd(fr, x, y) : Binary(fr.thread, op, x, y);
      fr.pos = ix->lbrack;
      SetIndex(c, k, std::move(r));
      return;
    }
    case ExprKind::kDot: {
      auto* dot = static_cast<const DotExpr*>(s->lhs.get());
      Value c = Eval(fr, dot->x.get());
      fr.pos = dot->dot;
      GetAttr(fr.thread, c, dot->name);
      Fail("can't assign to ." + dot->name + " field of " + std::string(TypeName(c)));
    }
    default:
      fr.pos = s->lhs->pos;
      Fail("invalid augmented assignment");
  }
}

Flow ExecStmt(Frame& fr, const Stmt* s) {
  switch (s->kind) {
    case StmtKind::kExpr:
      Eval(fr, static_cast<const ExprStmt*>(s)->x.get());
      return Flow::kNormal;
    case StmtKind::kAssign:
      ExecAssign(fr, static_cast<const AssignStmt*>(s));
      return Flow::kNormal;
    case StmtKind::kDef: {
      auto* def = static_cast<const DefStmt*>(s);
      SetVariable(fr, def->name.get(), MakeFunction(fr, def->fn.get()));
      return Flow::kNormal;
    }
    case StmtKind::kIf: {
      auto* i = static_cast<const IfStmt*>(s);
      return Exec(fr, Truth(Eval(fr, i->cond.get())) ? i->then_body : i->else_body);
    }
    case StmtKind::kFor: {
      auto* f = static_cast<const ForStmt*>(s);
      Value iterable = Eval(fr, f->x.get());
      fr.pos = f->pos;
      Flow flow = Flow::kNormal;
      Iterate(fr.thread, iterable, [&](const Value& v) {
        Assign(fr, f->vars.get(), v, f->pos);
        Flow body = Exec(fr, f->body);
        if (body == Flow::kBreak) return false;
        if (body == Flow::kReturn) {
          flow = Flow::kReturn;
          return false;
        }
        return true;
      });
      return flow;
    }
    case StmtKind::kWhile: {
      auto* w = static_cast<const WhileStmt*>(s);
      while (Truth(Eval(fr, w->cond.get()))) {
        fr.thread.Step();
        Flow body = Exec(fr, w->body);
        if (body == Flow::kBreak) break;
        if (body == Flow::kReturn) return body;
      }
      return Flow::kNormal;
    }
    case StmtKind::kReturn: {
      auto* r = static_cast<const ReturnStmt*>(s);
      fr.result = r->result ? Eval(fr, r->result.get()) : Value();
      return Flow::kReturn;
    }
    case StmtKind::kBreak:
      return Flow::kBreak;
    case StmtKind::kContinue:
      return Flow::kContinue;
    case StmtKind::kPass:
      return Flow::kNormal;
    case StmtKind::kLoad:
      fr.pos = s->pos;
      Fail("load statements are not supported");
  }
  return Flow::kNormal;
}

Flow Exec(Frame& fr, const std::vector<StmtPtr>& body) {
  for (const StmtPtr& s : body) {
    Flow flow = ExecStmt(fr, s.get());
    if (flow != Flow::kNormal) return flow;
  }
  return Flow::kNormal;
}

// Runs a function body or the top level in a fresh frame.
Value Run(Thread& thread, const std::shared_ptr<ModuleState>& module, FunctionObject* fn,
          const FunctionDecl* decl, const std::vector<StmtPtr>& body, std::vector<Value>& locals,
          const char* name) {
  Frame fr{thread, module.get(), module, fn, locals.data(), decl->pos, Value()};
  try {
    for (int index : decl->cells) {
      auto* cell = new CellObject();
      cell->value = std::move(locals[index]);
      locals[index] = Value(cell);
    }
    Exec(fr, body);
  } catch (EvalError& e) {
    e.AddFrame(name, module->file->name, fr.pos);
    throw;
  }
  return std::move(fr.result);
}

}  // namespace

Value InvokeFunction(Thread& thread, FunctionObject* fn, std::vector<Value>& locals) {
  const FunctionDecl* decl = fn->decl;
  for (const FunctionDecl* active : thread.functions) {
    if (active == decl) {
      EvalError e("function " + decl->name + " called recursively");
      e.AddFrame(decl->name, fn->module->file->name, EntryPos(decl));
      throw e;
    }
  }
  thread.EnterCall();
  thread.functions.push_back(decl);
  struct Leave {
    Thread& thread;
    ~Leave() {
      thread.functions.pop_back();
      thread.LeaveCall();
    }
  } leave{thread};
  thread.Step();
  return Run(thread, fn->module, fn, decl, decl->body, locals, decl->name.c_str());
}

}  // namespace internal

using internal::Eval;
using internal::Frame;
using internal::InvokeFunction;
using internal::Run;

Value CallFunction(Thread& thread, FunctionObject* fn, Args& args) {
  const FunctionDecl* decl = fn->decl;
  std::vector<Value> locals(decl->locals.size(), Value::Unbound());
  try {
    BindArguments(fn, args, locals.data());
  } catch (EvalError& e) {
    e.AddFrame(decl->name, fn->module->file->name, EntryPos(decl));
    throw;
  }
  return InvokeFunction(thread, fn, locals);
}

Value RunToplevel(Thread& thread, const std::shared_ptr<ModuleState>& module, bool expression) {
  const FunctionDecl* decl = &module->file->toplevel;
  std::vector<Value> locals(decl->locals.size(), Value::Unbound());
  if (!expression)
    return Run(thread, module, nullptr, decl, module->file->body, locals, "<toplevel>");
  Frame fr{thread, module.get(), module, nullptr, locals.data(), decl->pos, Value()};
  try {
    for (int index : decl->cells) locals[index] = Value(new CellObject());
    return Eval(fr, static_cast<const ExprStmt*>(module->file->body.front().get())->x.get());
  } catch (EvalError& e) {
    e.AddFrame("<expr>", module->file->name, fr.pos);
    throw;
  }
}

}  // namespace kraken::starlark
