// Expression evaluation of the tree-walking evaluator (see interpreter.h): variables,
// operators, literals, comprehensions, slices, calls and lambdas.
#include <string>
#include <utility>
#include <vector>

#include "starlark/attributes.h"
#include "starlark/builtins.h"
#include "starlark/format.h"
#include "starlark/frame.h"
#include "starlark/interpreter.h"
#include "starlark/objects.h"
#include "starlark/operators.h"
#include "starlark/positions.h"

namespace kraken::starlark::internal {
namespace {

[[noreturn]] void Unassigned(const Binding* b, const char* kind) {
  Fail(std::string(kind) + " variable " + b->name + " referenced before assignment");
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

}  // namespace

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
      const Value& cell =
          b->scope == Scope::kCell ? fr.locals[b->index] : fr.fn->freevars[b->index];
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
    case Scope::kPredeclared:
      return fr.module->predeclared[b->index];
    case Scope::kUniversal:
      return fr.module->universals[b->index];
    case Scope::kUndefined:
      break;
  }
  fr.pos = id->pos;
  Fail("undefined: " + id->name);
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
    fn->freevars.push_back(b->scope == Scope::kFree ? fr.fn->freevars[b->index]
                                                    : fr.locals[b->index]);
  }
  return result;
}

Value Eval(Frame& fr, const Expr* e) {
  switch (e->kind) {
    case ExprKind::kIdent:
      return Lookup(fr, static_cast<const Ident*>(e));
    case ExprKind::kLiteral:
      return static_cast<const Literal*>(e)->value;
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
          case Tok::kLt:
            return Value::Bool(a < c);
          case Tok::kGt:
            return Value::Bool(a > c);
          case Tok::kEqEq:
            return Value::Bool(a == c);
          case Tok::kPlus:
            return Value::Int(AddInt(a, c));
          default:
            break;
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
    case ExprKind::kSlice:
      return EvalSlice(fr, static_cast<const SliceExpr*>(e));
    case ExprKind::kDot: {
      auto* dot = static_cast<const DotExpr*>(e);
      Value x = Eval(fr, dot->x.get());
      fr.pos = dot->dot;
      return GetAttr(fr.thread, x, dot->name);
    }
    case ExprKind::kCall:
      return EvalCall(fr, static_cast<const CallExpr*>(e));
    case ExprKind::kList:
    case ExprKind::kTuple: {
      const auto& items = static_cast<const ListExpr*>(e)->items;
      std::vector<Value> values;
      values.reserve(items.size());
      for (const auto& x : items) values.push_back(Eval(fr, x.get()));
      fr.thread.Charge(values.size() * sizeof(Value) + 32);
      return e->kind == ExprKind::kList ? MakeList(std::move(values))
                                        : MakeTuple(std::move(values));
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
    case ExprKind::kLambda:
      return MakeFunction(fr, static_cast<const LambdaExpr*>(e)->fn.get());
  }
  return Value();
}

namespace {

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
      if (!d->has_varargs && !d->has_kwargs &&
          n <= static_cast<size_t>(d->num_params - d->num_kwonly)) {
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
      case Argument::kPositional:
        args.positional.push_back(Eval(fr, arg.value.get()));
        break;
      case Argument::kNamed:
        args.named.emplace_back(arg.name_value, Eval(fr, arg.value.get()));
        break;
      case Argument::kStar: {
        Value v = Eval(fr, arg.value.get());
        fr.pos = call->lparen;
        if (v.is(Type::kString) ||
            !(v.is(Type::kList) || v.is(Type::kTuple) || v.is(Type::kDict) || v.is(Type::kRange))) {
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
        if (!v.is(Type::kDict))
          Fail("argument after ** must be a mapping, not " + std::string(TypeName(v)));
        for (const auto& entry : v.as<DictObject>()->table.entries()) {
          if (entry.key.IsUnbound()) continue;
          if (!entry.key.is(Type::kString))
            Fail("keywords must be strings, not " + std::string(TypeName(entry.key)));
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

}  // namespace
}  // namespace kraken::starlark::internal
