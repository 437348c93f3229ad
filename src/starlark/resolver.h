// Resolve annotates a parsed file with variable bindings, following the
// reference implementation's resolver: every identifier becomes a frame
// slot, a captured cell, a module global, a predeclared host value or a
// built-in, so evaluation never looks names up by string. It also enforces
// the spec's static rules (no top-level if/for, no global reassignment, no
// while loops, well-formed parameters and arguments). Thread-safe.
#ifndef KRAKEN_STARLARK_RESOLVER_H_
#define KRAKEN_STARLARK_RESOLVER_H_

#include <functional>
#include <string_view>

#include "starlark/ast.h"
#include "starlark/error.h"

namespace kraken::starlark {

// Resolve returns the first error, or an Error with an empty message.
// is_predeclared reports the host-supplied names; the order of
// file->predeclared defines their indices.
Error Resolve(File* file, const std::function<bool(std::string_view)>& is_predeclared);

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_RESOLVER_H_
