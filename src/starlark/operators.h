// The language's operators on values: truth, equality, ordering, hashing,
// arithmetic, membership, indexing and slicing, with the semantics and
// error conditions of the spec. Ints are 64-bit: results that do not fit are
// an "integer overflow" error. All functions throw EvalError on failure.
#ifndef KRAKEN_STARLARK_OPERATORS_H_
#define KRAKEN_STARLARK_OPERATORS_H_

#include <cstdint>

#include "starlark/lexer.h"
#include "starlark/thread.h"
#include "starlark/value.h"

namespace kraken::starlark {

bool Truth(const Value& v);
bool Equal(const Value& x, const Value& y);
// Compare applies an ordered comparison operator (kLt, kLe, kGt, kGe).
bool Compare(Tok op, const Value& x, const Value& y);
// Three-way comparison used by sorted(), min() and max().
int ThreeWayCompare(const Value& x, const Value& y);
uint32_t Hash(const Value& v);

Value Binary(Thread& thread, Tok op, const Value& x, const Value& y);
Value Unary(Tok op, const Value& x);

// Length of a sized value, or -1.
int64_t Len(const Value& v);
Value Index(Thread& thread, const Value& x, const Value& index);
void SetIndex(const Value& x, const Value& index, Value v);
Value Slice(Thread& thread, const Value& x, const Value& lo, const Value& hi, const Value& step);

// Mutation checks shared by list and dict methods.
void CheckMutable(const Value& container, const char* verb);

int64_t AddInt(int64_t x, int64_t y);
int64_t MulInt(int64_t x, int64_t y);

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_OPERATORS_H_
