#include "starlark/starlark.h"

#include <new>

#include "starlark/builtins.h"
#include "starlark/function.h"
#include "starlark/interpreter.h"
#include "starlark/parser.h"
#include "starlark/resolver.h"
#include "starlark/thread.h"

namespace kraken::starlark {
namespace {

// Runs f, turning every failure into an Error: Starlark errors carry their
// backtrace; anything else (memory exhaustion, a bug) becomes a plain
// message so that no exception escapes the API.
template <class F>
auto Guard(const std::string& file, F&& f) -> tl::expected<decltype(f()), Error> {
  try {
    return f();
  } catch (const EvalError& e) {
    Error error = e.ToError();
    if (error.file.empty()) error.file = file;
    return tl::unexpected(std::move(error));
  } catch (const std::bad_alloc&) {
    return tl::unexpected(Error{"out of memory", file, 0, 0, "Error: out of memory"});
  } catch (const std::exception& e) {
    return tl::unexpected(Error{std::string("internal error: ") + e.what(), file, 0, 0,
                                std::string("Error: internal error: ") + e.what()});
  }
}

const Value* FindGlobal(const Globals& globals, std::string_view name) {
  for (const auto& [n, v] : globals) {
    if (n == name) return &v;
  }
  return nullptr;
}

// Builds the runtime state of a parsed file: resolves it against the
// predeclared names and fills in their values.
tl::expected<std::shared_ptr<ModuleState>, Error> Prepare(std::unique_ptr<File> file,
                                                          const Globals& predeclared) {
  Error error = Resolve(
      file.get(), [&](std::string_view name) { return FindGlobal(predeclared, name) != nullptr; });
  if (!error.message.empty()) return tl::unexpected(std::move(error));
  auto state = std::make_shared<ModuleState>();
  state->globals.assign(file->globals.size(), Value::Unbound());
  for (const auto& b : file->predeclared) {
    Value v = *FindGlobal(predeclared, b->name);
    Freeze(v);
    state->predeclared.push_back(std::move(v));
  }
  for (const auto& b : file->universals) state->universals.push_back(MakeUniversal(b->name));
  state->file = std::move(file);
  return state;
}

}  // namespace

Module::Module(std::shared_ptr<ModuleState> state, Options options)
    : state_(std::move(state)), options_(std::move(options)) {}
Module::Module(Module&&) noexcept = default;
Module& Module::operator=(Module&&) noexcept = default;

Module::~Module() {
  // Functions refer back to the module state, which holds them in its
  // globals: clearing the globals breaks that cycle.
  if (state_ != nullptr) state_->globals.clear();
}

tl::expected<Module, Error> Module::Load(std::string_view source, std::string filename,
                                         const Globals& predeclared, Options options) {
  auto file = ParseFile(source, filename);
  if (!file) return tl::unexpected(std::move(file.error()));
  auto state = Prepare(std::move(*file), predeclared);
  if (!state) return tl::unexpected(std::move(state.error()));
  auto ran = Guard(filename, [&] {
    Thread thread(options);
    RunToplevel(thread, *state, false);
    return true;
  });
  if (!ran) {
    (*state)->globals.clear();
    return tl::unexpected(std::move(ran.error()));
  }
  for (Value& v : (*state)->globals) Freeze(v);
  return Module(std::move(*state), std::move(options));
}

const Value* Module::Global(std::string_view name) const {
  const auto& bindings = state_->file->globals;
  for (size_t i = 0; i < bindings.size(); ++i) {
    if (bindings[i]->name == name && i < state_->globals.size() &&
        !state_->globals[i].IsUnbound()) {
      return &state_->globals[i];
    }
  }
  return nullptr;
}

std::vector<std::string> Module::GlobalNames() const {
  std::vector<std::string> names;
  for (const auto& b : state_->file->globals) names.push_back(b->name);
  return names;
}

tl::expected<Value, Error> Module::Call(std::string_view function, std::vector<Value> args) const {
  const Value* fn = Global(function);
  if (fn == nullptr) {
    std::string message = state_->file->name + " has no global named " + std::string(function);
    return tl::unexpected(Error{message, state_->file->name, 0, 0, "Error: " + message});
  }
  return Call(*fn, std::move(args));
}

tl::expected<Value, Error> Module::Call(const Value& function, std::vector<Value> args) const {
  return Guard(state_->file->name, [&] {
    Thread thread(options_);
    Args a;
    a.positional = std::move(args);
    return starlark::Call(thread, function, a);
  });
}

tl::expected<Value, Error> EvalExpression(std::string_view expression, const Globals& env,
                                          const Options& options) {
  const std::string filename = "<expr>";
  auto file = ParseExpression(expression, filename);
  if (!file) return tl::unexpected(std::move(file.error()));
  auto state = Prepare(std::move(*file), env);
  if (!state) return tl::unexpected(std::move(state.error()));
  return Guard(filename, [&] {
    Thread thread(options);
    return RunToplevel(thread, *state, true);
  });
}

}  // namespace kraken::starlark
