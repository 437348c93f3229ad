// Error is a failed Starlark evaluation as reported to the host, and
// EvalError the exception that carries it through the interpreter.
//
// Inside the interpreter a Starlark error unwinds the whole evaluation, so it
// travels as an EvalError exception that each call frame annotates on its way
// out; the public API (starlark.h) turns it into an Error value and never
// lets it escape.
#ifndef KRAKEN_STARLARK_ERROR_H_
#define KRAKEN_STARLARK_ERROR_H_

#include <exception>
#include <string>
#include <vector>

namespace kraken::starlark {

// A position in a source file; line and column start at 1 (0 if unknown).
// Columns count Unicode code points, as the reference implementation does.
struct Pos {
  int line = 0;
  int col = 0;
};

struct Error {
  std::string message;
  std::string file;
  int line = 0;
  int column = 0;
  // The call stack, most recent call last, in the reference
  // implementation's format: "Traceback (most recent call last):\n
  // file:3:5: in f\nError: message". Syntax errors have no stack.
  std::string backtrace;
};

class EvalError : public std::exception {
 public:
  struct Frame {
    std::string function;
    std::string file;
    Pos pos;
  };

  explicit EvalError(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

  const std::string& message() const { return message_; }
  // Frames from innermost to outermost, added as the error unwinds.
  const std::vector<Frame>& frames() const { return frames_; }
  void AddFrame(std::string function, std::string file, Pos pos) {
    frames_.push_back(Frame{std::move(function), std::move(file), pos});
  }
  // The built-in function that raised the error, if any.
  const std::string& builtin() const { return builtin_; }
  void set_builtin(std::string name) {
    if (frames_.empty() && builtin_.empty()) builtin_ = std::move(name);
  }
  Error ToError() const;

 private:
  std::string message_;
  std::vector<Frame> frames_;
  std::string builtin_;
};

[[noreturn]] void Fail(std::string message);

// A syntax or name-resolution error found before evaluation.
Error StaticError(const std::string& file, Pos pos, std::string message);

}  // namespace kraken::starlark

#endif  // KRAKEN_STARLARK_ERROR_H_
