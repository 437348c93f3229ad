#include "starlark/interpreter.h"

#include <string>
#include <utility>
#include <vector>

#include "starlark/attributes.h"
#include "starlark/builtins.h"
#include "starlark/format.h"
#include "starlark/objects.h"
#include "starlark/operators.h"
#include "starlark/positions.h"

namespace kraken::starlark {
namespace {

enum class Flow { kNormal, kBreak, kContinue, kReturn };

struct Frame {
  Thread& thread;
  ModuleState* module;
  const std::shared_ptr<ModuleState>& module_ref;  // for new closures
  FunctionObject* fn;  // null at top level
  Value* locals;
  Pos pos;  // position of the operation in progress, for errors
  Value result;
};

Value Eval(Frame& fr, const Expr* e);
Value InvokeFunction(Thread& thread, FunctionObject* fn, std::vector<Value>& locals);
Flow Exec(Frame& fr, const std::vector<StmtPtr>& body);

[[noreturn]] void Unassigned(const Binding* b, const char* kind) {
  Fail(std::string(kind) + " variable " + b->name + " referenced before assignment");
}

Value Lookup(Frame& fr, const Ident* id) {
  const Binding* b = id->binding;
  switch (b->scope) {
    case Scope::kLocal: {
      const Value& v = fr.locals[b->index];
      if (v.IsUnbound()) {
        fr.pos = id->pos;
        Unassigned(b, "local");
      }
      return v;
    }
    case Scope::kCell:
    case Scope::kFree: {
      const Value& cell = b->scope == Scope::kCell ? fr.locals[b->index] : fr.fn->freevars[b->index];
      const Value& v = cell.as<CellObject>()->value;
      if (v.IsUnbound()) {
        fr.pos = id->pos;
        Unassigned(b, "local");
      }
      return v;
    }
    case Scope::kGlobal: {
      const Value& v = fr.module->globals[b->index];
      if (v.IsUnbound()) {
        fr.pos = id->pos;
        Unassigned(b, "global");
      }
      return v;
    }
    case Scope::kPredeclared: return fr.module->predeclared[b->index];
    case Scope::kUniversal: return fr.module->universals[b->index];
    case Scope::kUndefined: break;
  }
  fr.pos = id->pos;
  Fail("undefined: " + id->name);
}

void SetVariable(Frame& fr, const Ident* id, Value v) {
  const Binding* b = id->binding;
  switch (b->scope) {
    case Scope::kLocal: fr.locals[b->index] = std::move(v); return;
    case Scope::kCell: fr.locals[b->index].as<CellObject>()->value = std::move(v); return;
    case Scope::kFree: fr.fn->freevars[b->index].as<CellObject>()->value = std::move(v); return;
    case Scope::kGlobal: fr.module->globals[b->index] = std::move(v); return;
    default: Fail("cannot assign to " + id->name);
  }
}

void Assign(Frame& fr, const Expr* lhs, Value v, Pos pos) {
  switch (lhs->kind) {
    case ExprKind::kIdent: SetVariable(fr, static_cast<const Ident*>(lhs), std::move(v)); return;
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
        Fail(std::string(items.size() > targets.size() ? "too many" : "too few") + " values to unpack (got " +
             (items.size() > targets.size() ? "more" : std::to_string(items.size())) + ", want " +
             std::to_string(targets.size()) + ")");
      }
      for (size_t i = 0; i < targets.size(); ++i) Assign(fr, targets[i].get(), std::move(items[i]), pos);
      return;
    }
    default: Fail("can't assign to expression");
  }
}

// list += iterable extends the list in place, as the spec requires.
Value AugmentedAdd(Frame& fr, const Value& x, const Value& y) {
  if (x.is(Type::kList) && (y.is(Type::kList) || y.is(Type::kTuple) || y.is(Type::kDict) || y.is(Type::kRange))) {
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
    case Tok::kPlusEq: return Tok::kPlus;
    case Tok::kMinusEq: return Tok::kMinus;
    case Tok::kStarEq: return Tok::kStar;
    case Tok::kSlashEq: return Tok::kSlash;
    case Tok::kSlashSlashEq: return Tok::kSlashSlash;
    case Tok::kPercentEq: return Tok::kPercent;
    case Tok::kAmpEq: return Tok::kAmp;
    case Tok::kPipeEq: return Tok::kPipe;
    case Tok::kCaretEq: return Tok::kCaret;
    case Tok::kLtLtEq: return Tok::kLtLt;
    default: return Tok::kGtGt;
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
    default: fr.pos = s->lhs->pos; Fail("invalid augmented assignment");
  }
}

Value MakeFunction(Frame& fr, const FunctionDecl* decl) {
  auto* fn = new FunctionObject(decl, fr.module_ref);
  Value result(fn);
  fn->defaults.reserve(decl->num_params);
  for (const Param& p : decl->params) {
    if (p.kind == Param::kRequired) {
      fn->defaults.push_back(Value::Unbound());
    } else if (p.kind == Param::kOptional) {
      fn->defaults.push_back(Eval(fr, p.default_value.get()));
    }
  }
  // Keyword-only parameters come after positional ones in the frame, but
  // may be declared before *args: reorder defaults to slot order.
  if (decl->num_kwonly > 0) {
    std::vector<Value> ordered(decl->num_params, Value::Unbound());
    size_t k = 0;
    for (const Param& p : decl->params) {
      if (p.kind == Param::kRequired || p.kind == Param::kOptional) {
        ordered[p.name->binding->index] = fn->defaults[k++];
      }
    }
    fn->defaults = std::move(ordered);
  }
  for (const Binding* b : decl->freevars) {
    fn->freevars.push_back(b->scope == Scope::kFree ? fr.fn->freevars[b->index] : fr.locals[b->index]);
  }
  return result;
}

void Comprehend(Frame& fr, const Comprehension* c, size_t i, const Value& result) {
  if (i == c->clauses.size()) {
    if (c->curly) {
      Value k = Eval(fr, c->body.get());
      Value v = Eval(fr, c->value.get());
      fr.pos = c->colon;
      fr.thread.Charge(2 * sizeof(Value) + 8);
      result.as<DictObject>()->table.Insert(k, std::move(v));
    } else {
      fr.thread.Charge(sizeof(Value));
      result.as<ListObject>()->items.push_back(Eval(fr, c->body.get()));
    }
    return;
  }
  const Clause& clause = c->clauses[i];
  if (clause.is_if) {
    if (Truth(Eval(fr, clause.x.get()))) Comprehend(fr, c, i + 1, result);
    return;
  }
  Value iterable = Eval(fr, clause.x.get());
  fr.pos = clause.pos;
  Iterate(fr.thread, iterable, [&](const Value& v) {
    Assign(fr, clause.vars.get(), v, clause.pos);
    Comprehend(fr, c, i + 1, result);
    return true;
  });
}

Value EvalCall(Frame& fr, const CallExpr* call);

Value EvalSlice(Frame& fr, const SliceExpr* s) {
  Value x = Eval(fr, s->x.get());
  Value lo = s->lo ? Eval(fr, s->lo.get()) : Value();
  Value hi = s->hi ? Eval(fr, s->hi.get()) : Value();
  Value step = s->step ? Eval(fr, s->step.get()) : Value();
  try {
    return Slice(fr.thread, x, lo, hi, step);
  } catch (EvalError&) {
    fr.pos = SlicePos(s);
    throw;
  }
}

Value Eval(Frame& fr, const Expr* e) {
  switch (e->kind) {
    case ExprKind::kIdent: return Lookup(fr, static_cast<const Ident*>(e));
    case ExprKind::kLiteral: return static_cast<const Literal*>(e)->value;
    case ExprKind::kUnary: {
      auto* u = static_cast<const UnaryExpr*>(e);
      Value x = Eval(fr, u->x.get());
      fr.pos = u->pos;
      return Unary(u->op, x);
    }
    case ExprKind::kBinary: {
      auto* b = static_cast<const BinaryExpr*>(e);
      Value x = Eval(fr, b->x.get());
      if (b->op == Tok::kAnd) return Truth(x) ? Eval(fr, b->y.get()) : x;
      if (b->op == Tok::kOr) return Truth(x) ? x : Eval(fr, b->y.get());
      Value y = Eval(fr, b->y.get());
      fr.pos = b->op_pos;
      if (x.is(Type::kInt) && y.is(Type::kInt)) {
        // Fast paths for the commonest integer operations.
        int64_t a = x.int_value(), c = y.int_value();
        switch (b->op) {
          case Tok::kLt: return Value::Bool(a < c);
          case Tok::kGt: return Value::Bool(a > c);
          case Tok::kEqEq: return Value::Bool(a == c);
          case Tok::kPlus: return Value::Int(AddInt(a, c));
          default: break;
        }
      }
      return Binary(fr.thread, b->op, x, y);
    }
    case ExprKind::kCond: {
      auto* c = static_cast<const CondExpr*>(e);
      return Truth(Eval(fr, c->cond.get())) ? Eval(fr, c->t.get()) : Eval(fr, c->f.get());
    }
    case ExprKind::kIndex: {
      auto* ix = static_cast<const IndexExpr*>(e);
      Value x = Eval(fr, ix->x.get());
      Value y = Eval(fr, ix->y.get());
      fr.pos = ix->lbrack;
      return Index(fr.thread, x, y);
    }
    case ExprKind::kSlice: return EvalSlice(fr, static_cast<const SliceExpr*>(e));
    case ExprKind::kDot: {
      auto* dot = static_cast<const DotExpr*>(e);
      Value x = Eval(fr, dot->x.get());
      fr.pos = dot->dot;
      return GetAttr(fr.thread, x, dot->name);
    }
    case ExprKind::kCall: return EvalCall(fr, static_cast<const CallExpr*>(e));
    case ExprKind::kList:
    case ExprKind::kTuple: {
      const auto& items = static_cast<const ListExpr*>(e)->items;
      std::vector<Value> values;
      values.reserve(items.size());
      for (const auto& x : items) values.push_back(Eval(fr, x.get()));
      fr.thread.Charge(values.size() * sizeof(Value) + 32);
      return e->kind == ExprKind::kList ? MakeList(std::move(values)) : MakeTuple(std::move(values));
    }
    case ExprKind::kDict: {
      Value dict = MakeDict();
      auto* d = dict.as<DictObject>();
      d->table.Reserve(static_cast<const DictExpr*>(e)->entries.size());
      for (const DictEntry& entry : static_cast<const DictExpr*>(e)->entries) {
        Value k = Eval(fr, entry.key.get());
        Value v = Eval(fr, entry.value.get());
        fr.pos = entry.colon;
        fr.thread.Charge(2 * sizeof(Value) + 8);
        if (!d->table.Insert(k, std::move(v))) Fail("duplicate key: " + Repr(k));
      }
      return dict;
    }
    case ExprKind::kComprehension: {
      auto* c = static_cast<const Comprehension*>(e);
      Value result = c->curly ? MakeDict() : MakeList();
      Comprehend(fr, c, 0, result);
      return result;
    }
    case ExprKind::kLambda: return MakeFunction(fr, static_cast<const LambdaExpr*>(e)->fn.get());
  }
  return Value();
}

Flow ExecStmt(Frame& fr, const Stmt* s) {
  switch (s->kind) {
    case StmtKind::kExpr: Eval(fr, static_cast<const ExprStmt*>(s)->x.get()); return Flow::kNormal;
    case StmtKind::kAssign: ExecAssign(fr, static_cast<const AssignStmt*>(s)); return Flow::kNormal;
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
    case StmtKind::kBreak: return Flow::kBreak;
    case StmtKind::kContinue: return Flow::kContinue;
    case StmtKind::kPass: return Flow::kNormal;
    case StmtKind::kLoad: fr.pos = s->pos; Fail("load statements are not supported");
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

Value EvalCall(Frame& fr, const CallExpr* call) {
  Value fn;
  Value self;
  BuiltinFn method = nullptr;
  const char* method_name = nullptr;
  if (call->fn->kind == ExprKind::kDot) {
    // Calls of methods avoid materializing a bound-method value.
    auto* dot = static_cast<const DotExpr*>(call->fn.get());
    self = Eval(fr, dot->x.get());
    method = LookupMethod(self.type(), dot->name, &method_name);
    if (method == nullptr) {
      fr.pos = dot->dot;
      fn = GetAttr(fr.thread, self, dot->name);
    }
  } else {
    fn = Eval(fr, call->fn.get());
    if (call->simple && fn.is(Type::kFunction)) {
      // Plain positional calls of Starlark functions evaluate their
      // arguments straight into the callee's frame.
      auto* f = fn.as<FunctionObject>();
      const FunctionDecl* d = f->decl;
      size_t n = call->args.size();
      if (!d->has_varargs && !d->has_kwargs && n <= static_cast<size_t>(d->num_params - d->num_kwonly)) {
        std::vector<Value> locals(d->locals.size(), Value::Unbound());
        for (size_t i = 0; i < n; ++i) locals[i] = Eval(fr, call->args[i].value.get());
        bool complete = true;
        for (int i = static_cast<int>(n); i < d->num_params && complete; ++i) {
          complete = !f->defaults[i].IsUnbound();
          if (complete) locals[i] = f->defaults[i];
        }
        fr.pos = call->lparen;
        if (complete) return InvokeFunction(fr.thread, f, locals);
        Args args;
        for (size_t i = 0; i < n; ++i) args.positional.push_back(std::move(locals[i]));
        return CallFunction(fr.thread, f, args);
      }
    }
  }
  Args args;
  args.positional.reserve(call->args.size());
  for (const Argument& arg : call->args) {
    switch (arg.kind) {
      case Argument::kPositional: args.positional.push_back(Eval(fr, arg.value.get())); break;
      case Argument::kNamed: args.named.emplace_back(arg.name_value, Eval(fr, arg.value.get())); break;
      case Argument::kStar: {
        Value v = Eval(fr, arg.value.get());
        fr.pos = call->lparen;
        if (v.is(Type::kString) || !(v.is(Type::kList) || v.is(Type::kTuple) || v.is(Type::kDict) || v.is(Type::kRange))) {
          Fail("argument after * must be iterable, not " + std::string(TypeName(v)));
        }
        Iterate(fr.thread, v, [&](const Value& x) {
          args.positional.push_back(x);
          return true;
        });
        break;
      }
      case Argument::kStarStar: {
        Value v = Eval(fr, arg.value.get());
        fr.pos = call->lparen;
        if (!v.is(Type::kDict)) Fail("argument after ** must be a mapping, not " + std::string(TypeName(v)));
        for (const auto& entry : v.as<DictObject>()->table.entries()) {
          if (entry.key.IsUnbound()) continue;
          if (!entry.key.is(Type::kString)) Fail("keywords must be strings, not " + std::string(TypeName(entry.key)));
          args.named.emplace_back(entry.key, entry.value);
        }
        break;
      }
    }
  }
  fr.pos = call->lparen;
  if (method != nullptr) return CallBuiltin(fr.thread, method_name, method, self, args);
  return Call(fr.thread, fn, args);
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

// Runs fn with its parameters already bound in locals.
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

}  // namespace

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
  if (!expression) return Run(thread, module, nullptr, decl, module->file->body, locals, "<toplevel>");
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
