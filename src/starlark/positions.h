// Where the reference implementation (go.starlark.net) reports errors.
// Its compiler attaches positions to some bytecode instructions only, and an
// error takes the position of the last positioned instruction executed; a
// few kinds of errors therefore point somewhere other than the failing
// operator. These functions reproduce those positions from the syntax tree
// so that both implementations report the same line and column.
// Thread-safe (pure functions of a resolved tree).
#ifndef KRAKEN_STARLARK_POSITIONS_H_
#define KRAKEN_STARLARK_POSITIONS_H_

#include "starlark/ast.h"

namespace kraken::starlark {

// The position of the last operation in e that reports one, or {0, 0}.
Pos LastPos(const Expr* e);
// Where a failed slice operation is reported.
Pos SlicePos(const SliceExpr* s);
// Where errors binding a call's arguments to decl's parameters, and
// recursion errors, are reported.
Pos EntryPos(const FunctionDecl* decl);

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_POSITIONS_H_
