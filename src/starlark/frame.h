// Frame is the state of one running Starlark function body or top level: the
// thread, the module, the local variable slots chosen by the resolver and the
// position of the operation in progress (for error messages). The evaluator is
// split along statements (interpreter.cc) and expressions (expression_eval.cc);
// this header is what the two share and nothing else includes it.
// A Frame lives on the C++ stack of one call; not thread-safe.
#ifndef KRAKEN_STARLARK_FRAME_H_
#define KRAKEN_STARLARK_FRAME_H_

#include <memory>
#include <vector>

#include "starlark/ast.h"
#include "starlark/function.h"
#include "starlark/thread.h"

namespace kraken::starlark::internal {

struct Frame {
  Thread& thread;
  ModuleState* module;
  const std::shared_ptr<ModuleState>& module_ref;  // for new closures
  FunctionObject* fn;                              // null at top level
  Value* locals;
  Pos pos;  // position of the operation in progress, for errors
  Value result;
};

// Expressions (expression_eval.cc).
Value Eval(Frame& fr, const Expr* e);
// The value of a variable; an unassigned or undefined one is an error at id.
Value Lookup(Frame& fr, const Ident* id);
// A new function value for decl (a def or a lambda), its defaults evaluated now.
Value MakeFunction(Frame& fr, const FunctionDecl* decl);

// Statements (interpreter.cc).
// Assigns v to lhs (a variable, an index, or a tuple or list of targets to unpack).
void Assign(Frame& fr, const Expr* lhs, Value v, Pos pos);
// Runs fn with its parameters already bound in locals.
Value InvokeFunction(Thread& thread, FunctionObject* fn, std::vector<Value>& locals);

}  // namespace kraken::starlark::internal

#endif  // KRAKEN_STARLARK_FRAME_H_
