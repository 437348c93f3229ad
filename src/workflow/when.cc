#include "workflow/when.h"

namespace kraken::workflow {

void AddWhenNames(Json& ctx, const WhenContext& when) {
  ctx["prev_ok"] = when.prev_ok;
  ctx["always"] = true;
  ctx["never"] = false;
  ctx["was_any_error"] = when.any_error;
  ctx["was_no_error"] = !when.any_error;
  if (!ctx.contains("is_ci")) {
    ctx["is_ci"] = when.is_ci;
    ctx["is_dev"] = !when.is_ci;
  }
}

Result<bool> EvaluateWhen(const std::string& expr, Interpolator& interpolator) {
  std::string e = expr;
  size_t b = e.find_first_not_of(" \t\n");
  size_t end = e.find_last_not_of(" \t\n");
  if (b == std::string::npos) return Invalid("when", "empty condition");
  e = e.substr(b, end - b + 1);
  if (e.size() > 3 && e.starts_with("#{") && e.back() == '}') e = e.substr(2, e.size() - 3);
  starlark::Heap heap;  // frees a cycle the value may hold once it is read
  KR_ASSIGN(auto value, interpolator.Evaluate(e, "when"));
  if (!value.is(starlark::Type::kBool))
    return Invalid("when", "'" + expr + "' must give True or False, not " +
                               std::string(starlark::TypeName(value)) + " " +
                               starlark::Repr(value));
  return value.bool_value();
}

Result<bool> EvaluateWhen(const std::string& expr, const WhenContext& ctx) {
  Json names = Json::object();
  AddWhenNames(names, ctx);
  Interpolator interpolator(std::move(names), Json::object());
  return EvaluateWhen(expr, interpolator);
}

}  // namespace kraken::workflow
