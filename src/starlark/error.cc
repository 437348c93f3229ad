#include "starlark/error.h"

namespace kraken::starlark {

void Fail(std::string message) { throw EvalError(std::move(message)); }

Error EvalError::ToError() const {
  Error error;
  error.message = message_;
  if (!frames_.empty()) {
    error.file = frames_.front().file;
    error.line = frames_.front().pos.line;
    error.column = frames_.front().pos.col;
  }
  std::string trace;
  if (!frames_.empty()) trace = "Traceback (most recent call last):\n";
  for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
    trace += "  " + it->file + ":" + std::to_string(it->pos.line) + ":" +
             std::to_string(it->pos.col) + ": in " + it->function + "\n";
  }
  trace += builtin_.empty() ? "Error: " : "Error in " + builtin_ + ": ";
  trace += message_;
  error.backtrace = std::move(trace);
  return error;
}

Error StaticError(const std::string& file, Pos pos, std::string message) {
  Error error;
  error.file = file;
  error.line = pos.line;
  error.column = pos.col;
  error.backtrace =
      file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.col) + ": " + message;
  error.message = std::move(message);
  return error;
}

}  // namespace kraken::starlark
