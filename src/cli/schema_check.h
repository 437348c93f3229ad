// `kraken schema check FILE [--ctx CTX.json] [--format F]`: evaluates a stage file the way the
// server does (Starlark, JSON or YAML) and validates it, without a server.
#pragma once

#include <ostream>
#include <string>

namespace kraken::cli {

struct SchemaCheckOptions {
  std::string file;
  std::string ctx_file;  // a JSON ctx; default: a save-time ctx (flow and run are None)
  std::string format;    // default: from the file's extension, else from its content
};

// Prints the evaluated, validated stage as JSON to `out` and returns 0, or prints the error
// with file:line:column (or the dict path) to `err` and returns 1; 2 for an unreadable input.
int SchemaCheck(const SchemaCheckOptions& options, std::ostream& out, std::ostream& err);

}  // namespace kraken::cli
