#include "workflow/when.h"

#include <sstream>
#include <vector>

namespace kraken::workflow {
namespace {

Result<bool> Name(const std::string& word, const WhenContext& c) {
  if (word == "always" || word == "True" || word == "true") return true;
  if (word == "never" || word == "False" || word == "false") return false;
  if (word == "prev_ok") return c.prev_ok;
  if (word == "was_any_error") return c.any_error;
  if (word == "was_no_error") return !c.any_error;
  if (word == "is_ci") return c.is_ci;
  if (word == "is_dev") return !c.is_ci;
  return Invalid("when", "unknown condition '" + word + "'");
}

}  // namespace

Result<bool> EvaluateWhen(const std::string& expr, const WhenContext& ctx) {
  // Disjunction of conjunctions of optionally negated names: enough for the predefined
  // conditions; full expressions are evaluated by the Starlark evaluator.
  std::istringstream in(expr);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty()) return Invalid("when", "empty condition");
  bool result = false, term = true, negate = false, expect_name = true;
  for (const std::string& w : words) {
    if (expect_name) {
      if (w == "not") {
        negate = !negate;
        continue;
      }
      KR_ASSIGN(bool v, Name(w, ctx));
      term = term && (negate ? !v : v);
      negate = false;
      expect_name = false;
    } else if (w == "and") {
      expect_name = true;
    } else if (w == "or") {
      result = result || term;
      term = true;
      expect_name = true;
    } else {
      return Invalid("when", "expected 'and' or 'or' before '" + w + "'");
    }
  }
  if (expect_name) return Invalid("when", "condition ends with an operator");
  return result || term;
}

}  // namespace kraken::workflow
