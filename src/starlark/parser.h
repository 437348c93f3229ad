// Parse turns Starlark source into a syntax tree (ast.h), following the
// grammar of the language spec. Nesting depth is bounded so that hostile
// input cannot overflow the host's stack. Thread-safe (no shared state).
#ifndef KRAKEN_STARLARK_PARSER_H_
#define KRAKEN_STARLARK_PARSER_H_

#include <memory>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "starlark/ast.h"
#include "starlark/error.h"

namespace kraken::starlark {

// Deeper nesting of brackets, operators or blocks is a syntax error.
inline constexpr int kMaxNesting = 200;

tl::expected<std::unique_ptr<File>, Error> ParseFile(std::string_view source, std::string filename);

// ParseExpression parses a file consisting of one expression; the result's
// body is a single ExprStmt.
tl::expected<std::unique_ptr<File>, Error> ParseExpression(std::string_view source,
                                                           std::string filename);

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_PARSER_H_
