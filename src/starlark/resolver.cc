#include "starlark/resolver.h"

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "starlark/builtins.h"

namespace kraken::starlark {
namespace {

struct Block;
struct Use {
  Ident* id;
  Block* env;
};

// A lexical block: a function body, a comprehension or the file.
struct Block {
  Block* parent = nullptr;
  FunctionDecl* function = nullptr;  // set for function blocks
  bool is_comprehension = false;
  std::unordered_map<std::string, Binding*> bindings;
  std::vector<std::unique_ptr<Block>> children;
  std::vector<Use> uses;  // only in containers (function or file)
};

class Resolver {
 public:
  Resolver(File* file, const std::function<bool(std::string_view)>& is_predeclared)
      : file_(file), is_predeclared_(is_predeclared) {
    env_ = &file_block_;
  }

  Error Run() {
    Stmts(file_->body);
    ResolveLocalUses(&file_block_);
    ResolveNonLocalUses(&file_block_);
    FinishFunction(&file_->toplevel);
    if (errors_.empty()) return Error{};
    return StaticError(file_->name, errors_.front().first, errors_.front().second);
  }

 private:
  void Errorf(Pos pos, std::string message) { errors_.emplace_back(pos, std::move(message)); }

  Block* Container() {
    for (Block* b = env_;; b = b->parent) {
      if (b->function != nullptr || b == &file_block_) return b;
    }
  }
  FunctionDecl* ContainerFunction() {
    Block* b = Container();
    return b->function != nullptr ? b->function : &file_->toplevel;
  }
  bool AtTopLevel() { return Container()->function == nullptr; }

  void Push(std::unique_ptr<Block> b) {
    b->parent = env_;
    Block* raw = b.get();
    env_->children.push_back(std::move(b));
    env_ = raw;
  }
  void Pop() { env_ = env_->parent; }

  Binding* NewBinding(std::vector<std::unique_ptr<Binding>>* owner, std::string name, Scope scope,
                      Pos pos) {
    auto b = std::make_unique<Binding>();
    b->name = std::move(name);
    b->scope = scope;
    b->index = static_cast<int>(owner->size());
    b->first = pos;
    owner->push_back(std::move(b));
    return owner->back().get();
  }

  // Bind reports whether a binding already existed.
  bool Bind(Ident* id) {
    if (env_ == &file_block_) {
      auto it = globals_.find(id->name);
      bool existed = it != globals_.end();
      if (!existed) {
        it = globals_
                 .emplace(id->name, NewBinding(&file_->globals, id->name, Scope::kGlobal, id->pos))
                 .first;
      } else {
        Errorf(id->pos, "cannot reassign global " + id->name + " declared at " + file_->name + ":" +
                            std::to_string(it->second->first.line) + ":" +
                            std::to_string(it->second->first.col));
      }
      id->binding = it->second;
      return existed;
    }
    return BindLocal(id);
  }

  bool BindLocal(Ident* id) {
    auto it = env_->bindings.find(id->name);
    if (it != env_->bindings.end()) {
      id->binding = it->second;
      return true;
    }
    FunctionDecl* fn = ContainerFunction();
    Binding* b = NewBinding(&fn->locals, id->name, Scope::kLocal, id->pos);
    env_->bindings[id->name] = b;
    id->binding = b;
    return false;
  }

  void AddUse(Ident* id) { Container()->uses.push_back(Use{id, env_}); }

  void Stmts(std::vector<StmtPtr>& stmts) {
    for (auto& s : stmts) Stmt(s.get());
  }

  void Stmt(starlark::Stmt* stmt) {
    switch (stmt->kind) {
      case StmtKind::kExpr:
        Expr(static_cast<ExprStmt*>(stmt)->x.get());
        break;
      case StmtKind::kBreak:
      case StmtKind::kContinue:
        if (loops_ == 0)
          Errorf(stmt->pos, std::string(stmt->kind == StmtKind::kBreak ? "break" : "continue") +
                                " not in a loop");
        break;
      case StmtKind::kPass:
        break;
      case StmtKind::kIf: {
        auto* s = static_cast<IfStmt*>(stmt);
        if (AtTopLevel()) Errorf(s->pos, "if statement not within a function");
        Expr(s->cond.get());
        Stmts(s->then_body);
        Stmts(s->else_body);
        break;
      }
      case StmtKind::kAssign: {
        auto* s = static_cast<AssignStmt*>(stmt);
        Expr(s->rhs.get());
        Assign(s->lhs.get(), s->op != Tok::kEq);
        break;
      }
      case StmtKind::kDef: {
        auto* s = static_cast<DefStmt*>(stmt);
        Bind(s->name.get());
        Function(s->fn.get());
        break;
      }
      case StmtKind::kFor: {
        auto* s = static_cast<ForStmt*>(stmt);
        if (AtTopLevel()) Errorf(s->pos, "for loop not within a function");
        Expr(s->x.get());
        Assign(s->vars.get(), false);
        ++loops_;
        Stmts(s->body);
        --loops_;
        break;
      }
      case StmtKind::kWhile: {
        auto* s = static_cast<WhileStmt*>(stmt);
        Errorf(s->pos, "dialect does not support while loops");
        Expr(s->cond.get());
        ++loops_;
        Stmts(s->body);
        --loops_;
        break;
      }
      case StmtKind::kReturn: {
        auto* s = static_cast<ReturnStmt*>(stmt);
        if (AtTopLevel()) Errorf(s->pos, "return statement not within a function");
        if (s->result) Expr(s->result.get());
        break;
      }
      case StmtKind::kLoad:
        Errorf(stmt->pos, "load statements are not supported");
        break;
    }
  }

  void Assign(starlark::Expr* lhs, bool augmented) {
    switch (lhs->kind) {
      case ExprKind::kIdent:
        Bind(static_cast<Ident*>(lhs));
        break;
      case ExprKind::kIndex: {
        auto* e = static_cast<IndexExpr*>(lhs);
        Expr(e->x.get());
        Expr(e->y.get());
        break;
      }
      case ExprKind::kDot:
        Expr(static_cast<DotExpr*>(lhs)->x.get());
        break;
      case ExprKind::kTuple:
      case ExprKind::kList:
        if (augmented) {
          Errorf(lhs->pos, std::string("can't use ") +
                               (lhs->kind == ExprKind::kTuple ? "tuple" : "list") +
                               " expression in augmented assignment");
        }
        for (auto& x : static_cast<ListExpr*>(lhs)->items) Assign(x.get(), augmented);
        break;
      default:
        Errorf(lhs->pos, "can't assign to this expression");
        break;
    }
  }

  void Expr(starlark::Expr* e) {
    switch (e->kind) {
      case ExprKind::kIdent:
        AddUse(static_cast<Ident*>(e));
        break;
      case ExprKind::kLiteral:
        break;
      case ExprKind::kList:
      case ExprKind::kTuple:
        for (auto& x : static_cast<ListExpr*>(e)->items) Expr(x.get());
        break;
      case ExprKind::kCond: {
        auto* c = static_cast<CondExpr*>(e);
        Expr(c->cond.get());
        Expr(c->t.get());
        Expr(c->f.get());
        break;
      }
      case ExprKind::kIndex: {
        auto* x = static_cast<IndexExpr*>(e);
        Expr(x->x.get());
        Expr(x->y.get());
        break;
      }
      case ExprKind::kSlice: {
        auto* s = static_cast<SliceExpr*>(e);
        Expr(s->x.get());
        if (s->lo) Expr(s->lo.get());
        if (s->hi) Expr(s->hi.get());
        if (s->step) Expr(s->step.get());
        break;
      }
      case ExprKind::kComprehension: {
        auto* c = static_cast<Comprehension*>(e);
        Expr(c->clauses[0].x.get());
        auto block = std::make_unique<Block>();
        block->is_comprehension = true;
        Push(std::move(block));
        Assign(c->clauses[0].vars.get(), false);
        for (size_t i = 1; i < c->clauses.size(); ++i) {
          Clause& clause = c->clauses[i];
          if (clause.is_if) {
            Expr(clause.x.get());
          } else {
            Assign(clause.vars.get(), false);
            Expr(clause.x.get());
          }
        }
        Expr(c->body.get());
        if (c->value) Expr(c->value.get());
        Pop();
        break;
      }
      case ExprKind::kDict:
        for (auto& entry : static_cast<DictExpr*>(e)->entries) {
          Expr(entry.key.get());
          Expr(entry.value.get());
        }
        break;
      case ExprKind::kUnary:
        Expr(static_cast<UnaryExpr*>(e)->x.get());
        break;
      case ExprKind::kBinary: {
        auto* b = static_cast<BinaryExpr*>(e);
        Expr(b->x.get());
        Expr(b->y.get());
        break;
      }
      case ExprKind::kDot:
        Expr(static_cast<DotExpr*>(e)->x.get());
        break;
      case ExprKind::kCall:
        Call(static_cast<CallExpr*>(e));
        break;
      case ExprKind::kLambda:
        Function(static_cast<LambdaExpr*>(e)->fn.get());
        break;
    }
  }

  void Call(CallExpr* call) {
    Expr(call->fn.get());
    bool seen_varargs = false, seen_kwargs = false;
    std::map<std::string, bool> seen_name;
    for (Argument& arg : call->args) {
      Pos pos = arg.pos;
      switch (arg.kind) {
        case Argument::kStarStar:
          if (seen_kwargs) Errorf(pos, "multiple **kwargs not allowed");
          seen_kwargs = true;
          break;
        case Argument::kStar:
          if (seen_kwargs) {
            Errorf(pos, "*args may not follow **kwargs");
          } else if (seen_varargs) {
            Errorf(pos, "multiple *args not allowed");
          }
          seen_varargs = true;
          break;
        case Argument::kNamed:
          if (seen_kwargs) {
            Errorf(pos, "keyword argument may not follow **kwargs");
          } else if (seen_varargs) {
            Errorf(pos, "keyword argument may not follow *args");
          }
          if (seen_name[arg.name]) Errorf(pos, "keyword argument " + arg.name + " repeated");
          seen_name[arg.name] = true;
          break;
        case Argument::kPositional:
          if (seen_varargs) {
            Errorf(pos, "positional argument may not follow *args");
          } else if (seen_kwargs) {
            Errorf(pos, "positional argument may not follow **kwargs");
          } else if (!seen_name.empty()) {
            Errorf(pos, "positional argument may not follow named");
          }
          break;
      }
      Expr(arg.value.get());
    }
  }

  void Function(FunctionDecl* fn) {
    for (Param& p : fn->params) {
      if (p.default_value) Expr(p.default_value.get());
    }
    auto block = std::make_unique<Block>();
    block->function = fn;
    Block* b = block.get();
    Push(std::move(block));

    bool seen_optional = false;
    Param* star = nullptr;
    Param* star_star = nullptr;
    for (Param& p : fn->params) {
      switch (p.kind) {
        case Param::kRequired:
        case Param::kOptional:
          if (star_star != nullptr) {
            Errorf(p.pos, std::string(p.kind == Param::kRequired ? "required" : "optional") +
                              " parameter may not follow **" + star_star->name->name);
          } else if (star != nullptr) {
            ++fn->num_kwonly;
          } else if (p.kind == Param::kRequired && seen_optional) {
            Errorf(p.pos, "required parameter may not follow optional");
          }
          if (BindLocal(p.name.get())) Errorf(p.pos, "duplicate parameter: " + p.name->name);
          if (p.kind == Param::kOptional) seen_optional = true;
          ++fn->num_params;
          break;
        case Param::kStar:
          if (star_star != nullptr) {
            Errorf(p.pos, "* parameter may not follow **" + star_star->name->name);
          } else if (star != nullptr) {
            Errorf(p.pos, "multiple * parameters not allowed");
          } else {
            star = &p;
          }
          break;
        case Param::kStarStar:
          if (star_star != nullptr) Errorf(p.pos, "multiple ** parameters not allowed");
          star_star = &p;
          break;
      }
    }
    if (star != nullptr) {
      if (star->name) {
        if (BindLocal(star->name.get()))
          Errorf(star->name->pos, "duplicate parameter: " + star->name->name);
        fn->has_varargs = true;
      } else if (fn->num_kwonly == 0) {
        Errorf(star->pos, "bare * must be followed by keyword-only parameters");
      }
    }
    if (star_star != nullptr) {
      if (BindLocal(star_star->name.get())) {
        Errorf(star_star->name->pos, "duplicate parameter: " + star_star->name->name);
      }
      fn->has_kwargs = true;
    }
    for (int i = 0; i < fn->num_params && i < static_cast<int>(fn->locals.size()); ++i) {
      fn->param_names.push_back(Value::String(fn->locals[i]->name));
    }

    int saved_loops = loops_;
    loops_ = 0;
    Stmts(fn->body);
    loops_ = saved_loops;
    ResolveLocalUses(b);
    Pop();
    functions_.push_back(fn);
  }

  static Binding* LookupLocal(const Use& use) {
    for (Block* env = use.env; env != nullptr; env = env->parent) {
      auto it = env->bindings.find(use.id->name);
      if (it != env->bindings.end()) return it->second;
      if (env->function != nullptr) break;
    }
    return nullptr;
  }

  void ResolveLocalUses(Block* b) {
    std::vector<Use> unresolved;
    for (const Use& use : b->uses) {
      Binding* bind = LookupLocal(use);
      if (bind != nullptr && (bind->scope == Scope::kLocal || bind->scope == Scope::kCell)) {
        use.id->binding = bind;
      } else {
        unresolved.push_back(use);
      }
    }
    b->uses = std::move(unresolved);
  }

  void ResolveNonLocalUses(Block* b) {
    for (auto& child : b->children) ResolveNonLocalUses(child.get());
    for (const Use& use : b->uses) use.id->binding = LookupLexical(use, use.env);
  }

  Binding* LookupLexical(const Use& use, Block* env) {
    if (env == &file_block_) return UseToplevel(use);
    auto it = env->bindings.find(use.id->name);
    if (it != env->bindings.end()) return it->second;
    Binding* bind = LookupLexical(use, env->parent);
    if (env->function != nullptr && (bind->scope == Scope::kLocal || bind->scope == Scope::kFree ||
                                     bind->scope == Scope::kCell)) {
      // Captured from an enclosing function: that local becomes a cell and
      // this function gets a free variable referring to it.
      if (bind->scope == Scope::kLocal) bind->scope = Scope::kCell;
      env->function->freevars.push_back(bind);
      auto free = std::make_unique<Binding>();
      free->name = bind->name;
      free->scope = Scope::kFree;
      free->index = static_cast<int>(env->function->freevars.size()) - 1;
      free->first = bind->first;
      bind = free.get();
      file_->extra_bindings.push_back(std::move(free));
    }
    env->bindings[use.id->name] = bind;
    return bind;
  }

  Binding* UseToplevel(const Use& use) {
    const std::string& name = use.id->name;
    if (auto it = globals_.find(name); it != globals_.end()) return it->second;
    if (auto it = others_.find(name); it != others_.end()) return it->second;
    Binding* bind;
    if (is_predeclared_ && is_predeclared_(name)) {
      bind = NewBinding(&file_->predeclared, name, Scope::kPredeclared, use.id->pos);
    } else if (IsUniversal(name)) {
      bind = NewBinding(&file_->universals, name, Scope::kUniversal, use.id->pos);
    } else {
      auto undefined = std::make_unique<Binding>();
      undefined->name = name;
      bind = undefined.get();
      file_->extra_bindings.push_back(std::move(undefined));
      Errorf(use.id->pos, "undefined: " + name);
      return bind;
    }
    others_[name] = bind;
    return bind;
  }

  void FinishFunction(FunctionDecl* top) {
    functions_.push_back(top);
    for (FunctionDecl* fn : functions_) {
      fn->cells.clear();
      for (auto& local : fn->locals) {
        if (local->scope == Scope::kCell) fn->cells.push_back(local->index);
      }
    }
  }

  File* file_;
  const std::function<bool(std::string_view)>& is_predeclared_;
  Block file_block_;
  Block* env_;
  std::unordered_map<std::string, Binding*> globals_;
  std::unordered_map<std::string, Binding*> others_;  // predeclared and universal
  std::vector<FunctionDecl*> functions_;
  std::vector<std::pair<Pos, std::string>> errors_;
  int loops_ = 0;
};

}  // namespace

Error Resolve(File* file, const std::function<bool(std::string_view)>& is_predeclared) {
  return Resolver(file, is_predeclared).Run();
}

}  // namespace kraken::starlark
